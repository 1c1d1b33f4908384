import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { GraphQLError, GraphQLNonNull, GraphQLScalarType, isListType, isNonNullType, isScalarType, type GraphQLSchema } from 'graphql';
import { COLUMN_ITEMS, type ColumnItem, columnText, columnTextOf, keepColumnText } from './column-text';

/**
 * The schema the executor runs, where each column of a columnar page (a field
 * of a type marked with the `columnLists` extension, typed `[Scalar!]!`) is
 * completed as one value: its list checked in one loop and written as it is.
 * graphql-jit completes a list item by item (two closures and a path array
 * per item: most of a page of 10,000 rows' time and garbage). The schema
 * clients see, validate against and introspect keeps the typed lists; the
 * JSON is the same. The check writes the column's JSON text as it goes
 * (column-text.ts), which the answer then takes as it is. Only a value the
 * fast check refuses goes through the item scalar's own serialize (its
 * coercion, or its error for the whole column).
 */

export const COLUMN_LISTS = 'columnLists';

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
  // Scalars whose serialize returns a plain value unchanged: their lists are checked and written in one pass.
  const plain = COLUMN_ITEMS.has(item.name) ? (item.name as ColumnItem) : undefined;
  return new GraphQLScalarType({
    name: `${item.name}ColumnList`,
    description: `[${item.name}!]! completed as one value (executor only).`,
    serialize(value: unknown): unknown[] {
      if (!Array.isArray(value)) throw new GraphQLError(`Expected a list of ${item.name}.`);
      // A list made from its text (listOfText, a prepared batch page) is written as that text.
      if (columnTextOf(value) !== undefined) return value;
      const text = plain && columnText(value, plain);
      if (text !== undefined) {
        keepColumnText(value, text);
        return value;
      }
      return value.map((v) => {
        if (v === null || v === undefined) throw new GraphQLError(`Cannot return null for a non-null ${item.name} in a column.`);
        return item.serialize(v);
      });
    },
  });
}
