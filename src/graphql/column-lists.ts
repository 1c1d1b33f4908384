import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { GraphQLError, GraphQLNonNull, GraphQLScalarType, isListType, isNonNullType, isScalarType, type GraphQLSchema } from 'graphql';

/**
 * The schema the executor runs, where each column of a columnar page (a field
 * of a type marked with the `columnLists` extension, typed `[Scalar!]!`) is
 * completed as one value: its list checked in one loop and written as it is.
 * graphql-jit completes a list item by item (two closures and a path array
 * per item: most of a page of 10,000 rows' time and garbage). The schema
 * clients see, validate against and introspect keeps the typed lists; the
 * JSON is the same. Only a value the fast check refuses goes through the item
 * scalar's own serialize (its coercion, or its error for the whole column).
 */

export const COLUMN_LISTS = 'columnLists';

/** Item checks that mean the scalar's serialize would return the value unchanged. */
const UNCHANGED: Record<string, (value: unknown) => boolean> = {
  String: (v) => typeof v === 'string',
  Float: (v) => typeof v === 'number' && Number.isFinite(v),
  SafeInt: (v) => typeof v === 'number' && Number.isSafeInteger(v),
  Int: (v) => typeof v === 'number' && Number.isInteger(v) && v <= 2_147_483_647 && v >= -2_147_483_648,
};

export function withWholeColumnLists(schema: GraphQLSchema): GraphQLSchema {
  const columns = new Map<string, GraphQLScalarType>();
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, _fieldName, typeName) => {
      if (!schema.getType(typeName)?.extensions?.[COLUMN_LISTS]) return field;
      const list = isNonNullType(field.type) ? field.type.ofType : undefined;
      const item = list && isListType(list) && isNonNullType(list.ofType) ? list.ofType.ofType : undefined;
      if (!item || !isScalarType(item)) return field;
      let column = columns.get(item.name);
      if (!column) columns.set(item.name, (column = wholeColumn(item)));
      return { ...field, type: new GraphQLNonNull(column) };
    },
  });
}

function wholeColumn(item: GraphQLScalarType): GraphQLScalarType {
  const unchanged = UNCHANGED[item.name];
  return new GraphQLScalarType({
    name: `${item.name}ColumnList`,
    description: `[${item.name}!]! completed as one value (executor only).`,
    serialize(value: unknown): unknown[] {
      if (!Array.isArray(value)) throw new GraphQLError(`Expected a list of ${item.name}.`);
      if (unchanged) {
        let i = 0;
        while (i < value.length && unchanged(value[i])) i += 1;
        if (i === value.length) return value;
      }
      return value.map((v) => {
        if (v === null || v === undefined) throw new GraphQLError(`Cannot return null for a non-null ${item.name} in a column.`);
        return item.serialize(v);
      });
    },
  });
}
