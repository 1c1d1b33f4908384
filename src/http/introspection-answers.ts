import { type DocumentNode, execute, type ExecutionResult, type FieldNode, type FragmentDefinitionNode, type GraphQLSchema, Kind, type OperationDefinitionNode, print } from 'graphql';
import { ByteBoundedLru } from '../byte-bounded-lru';
import { moveRawJson, rawJsonToken } from '../graphql/raw-json';

/**
 * The schema's description (`__schema { … }`) is the same for every request and role, yet graphql-js made it afresh
 * for each: a 15 KB `__schema` answer took ~1 ms of the event loop to make and 0.2 ms to serialise, for every new
 * introspection document a client sent (benchmark 10's hostile client sends one after another), and the IDE's full
 * introspection query (69 KB) 3.8 ms and 0.4 ms, however often the same text came. A query made of introspection root
 * fields alone (`__schema`, `__type`, `__typename`, each once, no directive on them, no variables; fragment
 * definitions allowed) has each `__schema` field's JSON kept by its printed text (alias left out) and the document's
 * fragments, and written into the answer as it is (raw-json.ts); the other root fields are run each time (a name
 * lookup). Anything else, or any error, is run whole by graphql-js as before. Only documents that passed every limit
 * reach the executor.
 */

/** Bytes of kept `__schema` texts (estimated) a server process holds at most. */
export const INTROSPECTION_CACHE_BYTES = 4 * 1024 * 1024;

const ROOT_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type', '__typename']);

interface Introspection {
  operation: OperationDefinitionNode;
  fields: FieldNode[];
  fragments: FragmentDefinitionNode[];
}

export class IntrospectionAnswers {
  private readonly kept: ByteBoundedLru<string>;
  /** Answers given with a kept `__schema` text (for tests and diagnostics). */
  hits = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    maxBytes = INTROSPECTION_CACHE_BYTES,
  ) {
    this.kept = new ByteBoundedLru(maxBytes);
  }

  /** Estimated bytes of the texts kept now. */
  get bytes(): number {
    return this.kept.bytes;
  }

  /** The result of `operation` when it is an introspection query answered here; undefined: run it as any other. */
  answer(document: DocumentNode, operation: OperationDefinitionNode | undefined, context: unknown): ExecutionResult | undefined {
    const asked = introspectionOf(document, operation);
    // The kept texts are written in through the request's context (raw-json.ts).
    if (!asked || typeof context !== 'object' || context === null) return undefined;
    const fragmentsText = printedOnce(document, () => asked.fragments.map((fragment) => `\n${print(fragment)}`).join(''));
    const values: Array<{ key: string; value: unknown; text?: string }> = [];
    let hit = false;
    for (const field of asked.fields) {
      const key = (field.alias ?? field.name).value;
      if (field.name.value !== '__schema') {
        const value = this.run(asked, field, key);
        if (value === NOT_ANSWERED) return undefined;
        values.push({ key, value });
        continue;
      }
      const printed = `${printedOnce(field, () => print({ ...field, alias: undefined }))}${fragmentsText}`;
      let text = this.kept.get(printed);
      if (text !== undefined) hit = true;
      else {
        const value = this.run(asked, field, key);
        if (value === NOT_ANSWERED) return undefined;
        text = JSON.stringify(value);
        // Two bytes a character at worst, for the key and the text.
        this.kept.set(printed, text, 2 * (printed.length + text.length));
      }
      values.push({ key, value: undefined, text });
    }
    if (hit) this.hits += 1;
    const data: Record<string, unknown> = {};
    for (const { key, value, text } of values) data[key] = text === undefined ? value : rawJsonToken(context, text);
    moveRawJson(context, data);
    return { data };
  }

  /** The value graphql-js gives `field` as the operation's only field; NOT_ANSWERED on any error. */
  private run({ operation, fragments }: Introspection, field: FieldNode, key: string): unknown {
    const alone: OperationDefinitionNode = { ...operation, selectionSet: { kind: Kind.SELECTION_SET, selections: [field] } };
    const result = execute({ schema: this.schema, document: { kind: Kind.DOCUMENT, definitions: [alone, ...fragments] } });
    if (result instanceof Promise || result.errors || !result.data) return NOT_ANSWERED;
    return result.data[key];
  }
}

const NOT_ANSWERED = Symbol('not answered');

// Private: printed texts by parsed node. The same text is the same parsed document (Apollo's document store), whose
// `__schema` fields a flood of one large introspection query printed again on every request (~10% of its time).
const printed = new WeakMap<object, string>();
const printedOnce = (node: object, print: () => string): string => {
  let text = printed.get(node);
  if (text === undefined) printed.set(node, (text = print()));
  return text;
};

/** The root fields and fragments of an introspection-only query this answers field by field, or undefined. */
function introspectionOf(document: DocumentNode, operation: OperationDefinitionNode | undefined): Introspection | undefined {
  // No variables: every value is in the text. No directive at the root: each field is answered.
  if (!operation || operation.operation !== 'query' || operation.variableDefinitions?.length || operation.directives?.length) return undefined;
  const fragments: FragmentDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.push(definition);
    else if (definition !== operation) return undefined;
  }
  const keys = new Set<string>();
  const fields: FieldNode[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || !ROOT_FIELDS.has(selection.name.value) || selection.directives?.length) return undefined;
    const key = (selection.alias ?? selection.name).value;
    // graphql-js merges fields of one response key into one answer; `data.__proto__ = …` below would set no key at all.
    if (keys.has(key) || key === '__proto__') return undefined;
    keys.add(key);
    fields.push(selection);
  }
  return { operation, fields, fragments };
}
