import { takeBytes } from '../byte-pool';
import { compileEdgesWriter, type EdgesWriter, type ScalarKind, type WriteState, type WriterCell } from './edges-writer';

/**
 * The JSON text of a connection's `edges` list, written straight from the
 * page's columns: what graphql-js would answer for a selection of scalar
 * fields of each node (planOf in rendered-edges.ts decides which selections qualify),
 * without a node, an edge or a result object per row. Each value is written
 * only when its scalar's serialize would return it unchanged (a string, a
 * finite number, a safe integer, an epoch millisecond a Date holds); anything
 * else, and null in a non-null field, makes the text undefined and the caller
 * answers the usual way.
 */

export type { ScalarKind } from './edges-writer';

export interface NodeEntry {
  /** `"responseKey":` */
  key: string;
  /** The node field, or undefined for `__typename` (then `typename` is written). */
  field?: string;
  kind?: ScalarKind;
  nonNull?: boolean;
  typename?: string;
}

export interface EdgeEntry {
  /** `"responseKey":`; '' for the one entry of a `nodes` plan, whose rows are the nodes themselves (NODES_KEY). */
  key: string;
  /** The node's entries, or undefined for the edge's `__typename`. */
  node?: NodeEntry[];
  typename?: string;
}

/** The rows of a page as columns: `rows` (indices into the columns, in page order) and the column of each node field. */
export interface EdgesSource {
  columns: Readonly<Record<string, readonly unknown[]>>;
  rows: ArrayLike<number>;
  fieldColumns: Readonly<Record<string, string>>;
}

/**
 * Rows 0 .. n - 1 of a page, as an EdgesSource's rows: an array made as visibleRows (connection.ts) makes its own.
 * The compiled writers see one kind of array: a Uint32Array here and arrays elsewhere made them deoptimise
 * (V8's "wrong map") and compile again, 50–100 ms each time, while the first walks of a server ran slowly.
 */
export function firstRows(n: number): number[] {
  const rows = new Array<number>(n);
  for (let i = 0; i < n; i += 1) rows[i] = i;
  return rows;
}

/** A plan compiled: its writer, and the node field whose column each of the writer's cells reads. */
interface CompiledPlan {
  writer: EdgesWriter;
  fields: readonly string[];
}

const compiled = new WeakMap<readonly EdgeEntry[], CompiledPlan>();
/** Plans by their text too: a plan merged from several field nodes is made anew for each request. */
const compiledByText = new Map<string, CompiledPlan>();
const MAX_BY_TEXT = 64;

/**
 * A row of the plan as alternating constant text and values: `{"node":{"a":` 1 `,"b":` 2 `}}`,
 * a constant value (a __typename) folded into the text; compiled once per plan (plans are kept per document).
 */
function compiledPlan(entries: readonly EdgeEntry[]): CompiledPlan {
  const known = compiled.get(entries);
  if (known) return known;
  const key = JSON.stringify(entries);
  const same = compiledByText.get(key) ?? compile(entries);
  compiled.set(entries, same);
  compiledByText.delete(key);
  compiledByText.set(key, same);
  if (compiledByText.size > MAX_BY_TEXT) compiledByText.delete(compiledByText.keys().next().value as string);
  return same;
}

/** The key of a `nodes` plan's one entry: each row is `{…}`, the node, not an edge `{"node":{…}}`. */
export const NODES_KEY = '';

function compile(entries: readonly EdgeEntry[]): CompiledPlan {
  const cells: WriterCell[] = [];
  const fields: string[] = [];
  const nodes = entries.length === 1 && entries[0].key === NODES_KEY;
  let text = nodes ? '' : '{';
  entries.forEach((e, i) => {
    text += `${i === 0 ? '' : ','}${e.key}`;
    if (e.node === undefined) return void (text += e.typename ?? 'null');
    text += '{';
    e.node.forEach((n, c) => {
      text += `${c === 0 ? '' : ','}${n.key}`;
      if (n.kind === undefined) return void (text += JSON.stringify(n.typename));
      cells.push({ before: encode(text), kind: n.kind, nonNull: n.nonNull === true });
      fields.push(n.field!);
      text = '';
    });
    text += '}';
  });
  return { writer: compileEdgesWriter(cells, encode(nodes ? text : `${text}}`)), fields };
}

const encode = (json: string): Uint8Array => new Uint8Array(Buffer.from(json, 'utf8'));

/** The scratch buffer every text is written into (single-threaded: a text is written without an await). */
const state: WriteState = { b: Buffer.allocUnsafe(1 << 16), onlyAscii: true };

/** `[{"node":{…}},…]` for the source's rows, or undefined when a value is not written as it is (see above). */
export function edgesText(entries: readonly EdgeEntry[], source: EdgesSource): string | undefined {
  const written = writeEdges(entries, source);
  if (written === undefined) return undefined;
  // ASCII bytes are their own Latin-1 text (a copy); UTF-8 only where a string was not ASCII.
  return state.b.toString(written.onlyAscii ? 'latin1' : 'utf8', 0, written.length);
}

/**
 * The same text as its UTF-8 bytes (a copy of exactly them, in the byte
 * pool's memory): a bulk page's answer is sent as bytes (raw-json.ts), so its
 * edges never become a string.
 */
export function edgesBytes(entries: readonly EdgeEntry[], source: EdgesSource): Buffer | undefined {
  const written = writeEdges(entries, source);
  if (written === undefined) return undefined;
  const out = takeBytes(written.length);
  state.b.copy(out, 0, 0, written.length);
  return out;
}

/** Writes the text's UTF-8 bytes into the scratch buffer (from 0); undefined when a value is not written as it is. */
function writeEdges(entries: readonly EdgeEntry[], source: EdgesSource): { length: number; onlyAscii: boolean } | undefined {
  const { writer, fields } = compiledPlan(entries);
  const columns = fields.map((field) => source.columns[source.fieldColumns[field]]);
  if (columns.some((values) => values === undefined)) return undefined;
  state.onlyAscii = true;
  const length = writer(state, source.rows, columns);
  return length < 0 ? undefined : { length, onlyAscii: state.onlyAscii };
}
