import { MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  type DocumentNode,
  type FieldNode,
  getNamedType,
  GraphQLNonNull,
  type GraphQLObjectType,
  GraphQLScalarType,
  type GraphQLSchema,
  isLeafType,
  isNonNullType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { columnArray } from '../../etl/engine/column-arrays';
import { edgesBytes, type EdgeEntry, type EdgesSource, edgesText, firstRows, NODES_KEY, type NodeEntry, type ScalarKind } from './edges-text';
import { notePlan, prerenderedText } from './prerendered-edges';
import { type RawJson, rawJsonToken } from './raw-json';

/**
 * The schema the executor runs where the `edges` of a marked connection type
 * (`renderedEdges` extension: the training set's and the accelerometer
 * readings', pulled in pages of 5,000 to 10,000 rows) is written as one
 * JSON text (edges-text.ts) instead of completed edge by edge and
 * serialised from the objects: per row, graphql-jit made an edge
 * and a node object and called every scalar's serialize, and JSON.stringify
 * walked them (most of a page's main-thread time, and its garbage). Only
 * documents whose every `edges` of such a type selects plain scalar fields of
 * the node (planOf) run on it; a page whose values the text cannot write
 * as they are throws NotRendered, and the executor answers the document again
 * with graphql-js (the same answer, errors included).
 */

export const RENDERED_EDGES = 'renderedEdges';

/** A page the text does not write (a value its scalar would change or refuse): answer it the usual way. */
export class NotRendered extends Error {}

/** The connection's own rows as columns (its page read as columns), else its edges' nodes are read. */
export interface RenderableConnection {
  edges: Array<{ node: object }>;
  edgesSource?: EdgesSource;
}

const SCALARS = new Set<string>(['String', 'Float', 'SafeInt', 'Int', 'Boolean', 'DateTime']);

const EdgesText = new GraphQLScalarType({
  name: 'RenderedEdgesText',
  description: 'A connection page\'s edges as JSON text (executor only).',
  serialize: (value: unknown) => value,
});

export function withRenderedEdges(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
      const type = schema.getType(typeName);
      if ((fieldName !== 'edges' && fieldName !== 'nodes') || !isObjectType(type) || !type.extensions?.[RENDERED_EDGES]) return field;
      const plans = fieldName === 'edges' ? planOf : nodesPlanOf;
      return {
        ...field,
        type: new GraphQLNonNull(EdgesText),
        resolve: (connection: RenderableConnection, _args, context: object, info) => {
          const plan = plans(type, info.fieldNodes);
          const source = connection.edgesSource;
          if (plan && source) notePlan(plan, source.fieldColumns);
          const text = plan && ((source && prerenderedText(plan, source)) ?? written(plan, source ?? nodeColumns(connection, plan)));
          if (text === undefined || text === null) throw new NotRendered('this page is answered the usual way');
          return rawJsonToken(context, text);
        },
      };
    },
  });
}

/** Pages of at least this many rows have their edges written as bytes (an answer that large is sent as bytes: raw-json.ts). */
export const BYTES_MIN_ROWS = 1_000;

const written = (plan: EdgeEntry[], source: EdgesSource): RawJson | undefined =>
  source.rows.length >= BYTES_MIN_ROWS ? edgesBytes(plan, source) : edgesText(plan, source);

/**
 * Whether every `edges` of a marked connection type in the document selects
 * what the text writes, none under a directive (graphql-jit hands the resolver
 * every field node of `edges`, even one @skip or @include leaves out: the plan
 * would write its fields too), and no fragment is spread under one.
 */
export function rendersEdges(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let renders = true;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node, _key, _parent, _path, ancestors) {
        const parent = typeInfo.getParentType();
        if ((node.name.value !== 'edges' && node.name.value !== 'nodes') || !isObjectType(parent) || !parent.extensions?.[RENDERED_EDGES]) return;
        if (!(node.name.value === 'edges' ? planOf : nodesPlanOf)(parent, [node]) || [node, ...ancestors].some(hasDirectives)) renders = false;
      },
      FragmentSpread(node) {
        if (node.directives?.length) renders = false;
      },
    }),
  );
  return renders;
}

const hasDirectives = (node: unknown): boolean => typeof node === 'object' && node !== null && ((node as { directives?: readonly unknown[] }).directives?.length ?? 0) > 0;

const plans = new WeakMap<FieldNode, EdgeEntry[] | null>();

/** The entries of `edges` (its field nodes merged), or null when a selection is not plain scalars of the node. */
function planOf(connection: GraphQLObjectType, fieldNodes: readonly FieldNode[]): EdgeEntry[] | null {
  const cached = fieldNodes.length === 1 ? plans.get(fieldNodes[0]) : undefined;
  if (cached !== undefined) return cached;
  const plan = makePlan(connection, fieldNodes);
  if (fieldNodes.length === 1) plans.set(fieldNodes[0], plan);
  return plan;
}

function makePlan(connection: GraphQLObjectType, fieldNodes: readonly FieldNode[]): EdgeEntry[] | null {
  const edge = getNamedType(connection.getFields().edges?.type);
  const nodeType = isObjectType(edge) ? getNamedType(edge.getFields().node?.type) : undefined;
  if (!isObjectType(edge) || !isObjectType(nodeType)) return null;
  const entries: EdgeEntry[] = [];
  const nodeSets = new Map<string, SelectionSetNode[]>();
  for (const fieldNode of fieldNodes) {
    for (const s of plainFields(fieldNode.selectionSet)) {
      if (!s) return null;
      const key = (s.alias ?? s.name).value;
      if (s.name.value === '__typename') {
        if (!entries.some((e) => e.key === keyText(key))) entries.push({ key: keyText(key), typename: JSON.stringify(edge.name) });
      } else if (s.name.value === 'node' && s.selectionSet) {
        if (!nodeSets.has(key)) entries.push({ key: keyText(key), node: [] });
        nodeSets.set(key, [...(nodeSets.get(key) ?? []), s.selectionSet]);
      } else return null;
    }
  }
  for (const entry of entries) {
    if (entry.node === undefined) continue;
    const key = JSON.parse(entry.key.slice(0, -1)) as string;
    for (const set of nodeSets.get(key)!) {
      for (const s of plainFields(set)) {
        if (!s || s.selectionSet) return null;
        const nodeKey = keyText((s.alias ?? s.name).value);
        if (entry.node.some((n) => n.key === nodeKey)) continue;
        const n = nodeEntry(nodeType, s.name.value, nodeKey);
        if (!n) return null;
        entry.node.push(n);
      }
    }
  }
  return entries;
}

const nodesPlans = new WeakMap<FieldNode, EdgeEntry[] | null>();

/** The plan of `nodes` (its field nodes merged): one entry whose rows are the nodes (NODES_KEY), or null as planOf. */
function nodesPlanOf(connection: GraphQLObjectType, fieldNodes: readonly FieldNode[]): EdgeEntry[] | null {
  const cached = fieldNodes.length === 1 ? nodesPlans.get(fieldNodes[0]) : undefined;
  if (cached !== undefined) return cached;
  const nodeType = getNamedType(connection.getFields().nodes?.type);
  let plan: EdgeEntry[] | null = null;
  if (isObjectType(nodeType)) {
    const node: NodeEntry[] = [];
    plan = [{ key: NODES_KEY, node }];
    for (const s of fieldNodes.flatMap((f) => plainFields(f.selectionSet))) {
      const entry = s && !s.selectionSet ? nodeEntry(nodeType, s.name.value, keyText((s.alias ?? s.name).value)) : undefined;
      if (!entry) {
        plan = null;
        break;
      }
      if (!node.some((n) => n.key === entry.key)) node.push(entry);
    }
  }
  if (fieldNodes.length === 1) nodesPlans.set(fieldNodes[0], plan);
  return plan;
}

/** A selection set's fields when all are fields without arguments or directives; an undefined item where one is not. */
function plainFields(set: SelectionSetNode | undefined): Array<FieldNode | undefined> {
  if (!set) return [undefined];
  return set.selections.map((s) => (s.kind === Kind.FIELD && !s.directives?.length && !s.arguments?.length ? s : undefined));
}

function nodeEntry(nodeType: GraphQLObjectType, name: string, key: string): NodeEntry | undefined {
  if (name === '__typename') return { key, typename: nodeType.name };
  const field = nodeType.getFields()[name];
  const named = field && getNamedType(field.type);
  if (!field || !named || !isLeafType(named) || !SCALARS.has(named.name) || field.args.length > 0) return undefined;
  return { key, field: name, kind: named.name as ScalarKind, nonNull: isNonNullType(field.type) };
}

const keyText = (key: string): string => `${JSON.stringify(key)}:`;

/** A connection without its rows as columns: its edges' nodes, each field a column. */
function nodeColumns(connection: RenderableConnection, plan: EdgeEntry[]): EdgesSource {
  const nodes = connection.edges.map((e) => e.node as Record<string, unknown>);
  const columns: Record<string, unknown[]> = {};
  const fieldColumns: Record<string, string> = {};
  for (const entry of plan) {
    for (const n of entry.node ?? []) {
      if (!n.field) continue;
      // Made as the engine's columns are (etl/engine/column-arrays.ts): one compiled writer serves both.
      const column = columnArray(nodes.length);
      for (let i = 0; i < nodes.length; i += 1) column[i] = nodes[i][n.field];
      columns[(fieldColumns[n.field] = n.field)] = column;
    }
  }
  return { columns, rows: firstRows(nodes.length), fieldColumns };
}
