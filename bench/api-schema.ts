import type { BenchServer } from './server';

/**
 * What the benchmarks select is read from the served schema (introspection),
 * so "all fields" stays all fields as the schema grows: every scalar or enum
 * field of a type that needs no argument.
 */

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}

interface FieldInfo {
  name: string;
  args: Array<{ name: string; type: TypeRef }>;
  type: TypeRef;
}

interface TypeInfo {
  name: string;
  kind: string;
  fields: FieldInfo[] | null;
}

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }';
const INTROSPECTION = `{ __schema { queryType { name } mutationType { name } types { name kind fields { name args { name type { ${TYPE_REF} } } type { ${TYPE_REF} } } } } }`;

const named = (ref: TypeRef): TypeRef => (ref.ofType ? named(ref.ofType) : ref);
const printed = (ref: TypeRef): string =>
  ref.kind === 'NON_NULL' ? `${printed(ref.ofType as TypeRef)}!` : ref.kind === 'LIST' ? `[${printed(ref.ofType as TypeRef)}]` : (ref.name as string);

export class ApiSchema {
  private constructor(
    private readonly types: Map<string, TypeInfo>,
    private readonly queryType: string,
    private readonly mutation: string | null,
  ) {}

  static async load(server: BenchServer): Promise<ApiSchema> {
    type Answer = { __schema: { queryType: { name: string }; mutationType: { name: string } | null; types: TypeInfo[] } };
    const { __schema: s } = await server.graphql<Answer>(INTROSPECTION);
    return new ApiSchema(new Map(s.types.map((t) => [t.name, t])), s.queryType.name, s.mutationType?.name ?? null);
  }

  get query(): string {
    return this.queryType;
  }

  mutationType(): string {
    if (!this.mutation) throw new Error('the schema has no mutations');
    return this.mutation;
  }

  private field(typeName: string, field: string): FieldInfo {
    const found = this.types.get(typeName)?.fields?.find((f) => f.name === field);
    if (!found) throw new Error(`the schema has no field ${typeName}.${field}`);
    return found;
  }

  /** The type a field of `typeName` returns, lists and non-nulls removed. */
  fieldType(typeName: string, field: string): string {
    return named(this.field(typeName, field).type).name as string;
  }

  /** An argument's type as written in a variable definition, e.g. `String!`. */
  argType(typeName: string, field: string, arg: string): string {
    const found = this.field(typeName, field).args.find((a) => a.name === arg);
    if (!found) throw new Error(`${typeName}.${field} takes no argument ${arg}`);
    return printed(found.type);
  }

  hasField(typeName: string, field: string): boolean {
    return this.types.get(typeName)?.fields?.some((f) => f.name === field) ?? false;
  }

  /** The node type of a connection field, e.g. ('Query', 'machineLearningSamples') → 'MachineLearningSample'. */
  nodeType(typeName: string, connectionField: string): string {
    const connection = this.fieldType(typeName, connectionField);
    return this.fieldType(this.fieldType(connection, 'edges'), 'node');
  }

  nodeTypeOfQuery(connectionField: string): string {
    return this.nodeType(this.queryType, connectionField);
  }

  /** Every scalar and enum field of `typeName` that takes no required argument, space-separated. */
  leafSelection(typeName: string): string {
    const type = this.types.get(typeName);
    if (!type?.fields) throw new Error(`the schema has no object type ${typeName}`);
    return type.fields
      .filter((f) => ['SCALAR', 'ENUM'].includes(named(f.type).kind) && f.args.every((a) => a.type.kind !== 'NON_NULL'))
      .map((f) => f.name)
      .join(' ');
  }
}
