import fc from 'fast-check';
import {
  getNamedType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';

/**
 * GraphQL requests generated from the schema, for property tests: valid ones,
 * near-valid ones (wrong argument types, unknown fields, broken syntax) and
 * hostile ones (deep, wide, aliased, huge literals, hostile variables,
 * directive and fragment abuse). fast-check drives every choice, so a seed
 * replays a case exactly.
 */
export interface GeneratedRequest {
  kind: string;
  query: string;
  variables?: Record<string, unknown>;
}

type Gen = fc.GeneratorValue;

const KINDS = ['valid', 'valid', 'near', 'deep', 'introspection', 'wide', 'aliased', 'huge', 'variables', 'abuse'] as const;
type Kind = (typeof KINDS)[number];

const HOSTILE_LITERALS = ['2147483648', '-1', '0', '1e300', '-1e308', '9223372036854775808', '1.5', '"1655564000000"', '""', '[1, 2]', '{ a: 1 }', 'null', 'TRAINING', '"\' OR 1=1 --"', 'true'];
const HOSTILE_VALUES: unknown[] = [2147483648, -1, 0, 1e300, -1e308, 2 ** 63, 1.5, '1655564000000', '', 'x'.repeat(5_000), { $gt: 0 }, ['a'], null, true, 'TRAINING', "'; DROP TABLE customer_curated; --", {}];

interface Plan {
  g: Gen;
  kind: Kind;
  maxDepth: number;
  width: number;
  wrongArgs: boolean;
  variables: Record<string, unknown>;
  declarations: string[];
  aliases: number;
}

function scalarLiteral(name: string, g: Gen): string {
  switch (name) {
    case 'Int':
      return String(g(fc.integer, { min: 1, max: 20 }));
    case 'SafeInt':
      return String(g(fc.integer, { min: 0, max: 2_000_000_000_000 }));
    case 'Float':
      return String(g(fc.double, { noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }));
    case 'Boolean':
      return String(g(fc.boolean));
    case 'DateTime':
      return '"2022-06-18T10:00:00Z"';
    default:
      return JSON.stringify(g(fc.string, { minLength: 1, maxLength: 12 }));
  }
}

function literalFor(type: GraphQLInputType, plan: Plan): string {
  const { g } = plan;
  if (plan.wrongArgs && g(fc.integer, { min: 0, max: 3 }) === 0) return g(fc.constantFrom, ...HOSTILE_LITERALS);
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return `[${literalFor(inner.ofType, plan)}]`;
  if (isEnumType(inner)) return g(fc.constantFrom, ...inner.getValues().map((v) => v.name));
  if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields()).filter((f) => isNonNullType(f.type) || g(fc.boolean));
    return `{ ${fields.map((f) => `${f.name}: ${literalFor(f.type, plan)}`).join(', ')} }`;
  }
  return scalarLiteral(getNamedType(inner).name, g);
}

function argumentsFor(args: readonly GraphQLArgument[], plan: Plan): string {
  const { g } = plan;
  const chosen = args.filter((a) => isNonNullType(a.type) || g(fc.integer, { min: 0, max: 2 }) === 0);
  if (chosen.length === 0) return '';
  const parts = chosen.map((a) => {
    if (plan.kind === 'variables' && g(fc.boolean)) {
      const name = `v${plan.declarations.length}`;
      // Declared with the argument's own type; the value is hostile, missing or valid.
      plan.declarations.push(`$${name}: ${String(a.type)}`);
      const value = g(() => fc.oneof(fc.constantFrom(...HOSTILE_VALUES), fc.constant(undefined), fc.integer(), fc.string({ maxLength: 20 })));
      if (value !== undefined) plan.variables[name] = value;
      return `${a.name}: $${name}`;
    }
    return `${a.name}: ${literalFor(a.type, plan)}`;
  });
  return `(${parts.join(', ')})`;
}

function selection(type: GraphQLObjectType, depth: number, plan: Plan): string {
  const { g } = plan;
  const fields = Object.values(type.getFields());
  const count = g(fc.integer, { min: 1, max: plan.width });
  const parts: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const field = type.getFields()[g(fc.constantFrom, ...fields.map((f) => f.name))];
    const alias = plan.aliases > 0 ? `a${(plan.aliases -= 1)}: ` : '';
    const named = getNamedType(field.type);
    const head = `${alias}${field.name}${argumentsFor(field.args, plan)}`;
    if (!isObjectType(named)) parts.push(head);
    else if (depth >= plan.maxDepth) parts.push(`${head} { __typename }`);
    else parts.push(`${head} { ${selection(named, depth + 1, plan)} }`);
  }
  if (plan.kind === 'near' && g(fc.integer, { min: 0, max: 3 }) === 0) parts.push(g(fc.constantFrom, 'unknownField', 'serialNumbr', 'edges', '__typename'));
  return parts.join(' ');
}

/** One generated request; the Query type's fields only (no rebuild is ever started). */
export function generateRequest(schema: GraphQLSchema, g: Gen): GeneratedRequest {
  const kind = g(fc.constantFrom, ...KINDS);
  const plan: Plan = {
    g,
    kind,
    maxDepth: kind === 'deep' ? g(fc.integer, { min: 6, max: 24 }) : g(fc.integer, { min: 1, max: 4 }),
    width: kind === 'wide' ? 40 : 3,
    wrongArgs: kind === 'near',
    variables: {},
    declarations: [],
    aliases: kind === 'aliased' ? g(fc.integer, { min: 5, max: 600 }) : 0,
  };
  if (kind === 'introspection') {
    const levels = g(fc.integer, { min: 1, max: 3_000 });
    return { kind, query: `{ __type(name: "Query") { ${'ofType { '.repeat(levels)}name${' }'.repeat(levels)} } ${selection(schema.getQueryType()!, 1, plan)} }` };
  }
  let body = selection(schema.getQueryType()!, 1, plan);
  if (kind === 'huge') body = `customers(filter: { serialNumber: "${'s'.repeat(g(fc.integer, { min: 1_000, max: 300_000 }))}" }) { totalCount } ${body}`;
  if (kind === 'abuse') {
    const abuse = g(fc.constantFrom, 'directives', 'fragments', 'cycle', 'garbage');
    if (abuse === 'directives') body = `lake @include(if: true)${' @skip(if: false)'.repeat(g(fc.integer, { min: 1, max: 200 }))} { liveVersion } ${body}`;
    if (abuse === 'fragments') return { kind, query: `{ ...F0 } ${Array.from({ length: 12 }, (_, i) => `fragment F${i} on Query { ${i < 11 ? `...F${i + 1} ...F${i + 1}` : 'lake { liveVersion }'} }`).join(' ')}` };
    if (abuse === 'cycle') return { kind, query: '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A lake { liveVersion } }' };
    if (abuse === 'garbage') return { kind, query: g(fc.string, { maxLength: 300 }) };
  }
  const broken = kind === 'near' && g(fc.integer, { min: 0, max: 4 }) === 0;
  const declarations = plan.declarations.length > 0 ? `(${plan.declarations.join(', ')})` : '';
  const query = `query Generated${declarations} { ${body} ${broken ? '' : '}'}`;
  return { kind, query, variables: kind === 'variables' ? plan.variables : undefined };
}
