// The schema decides the selection: the lake page asks which fields exist, so fields added to Lake later show up
// without a change to the page.
const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name } } }';
export const INTROSPECTION = `{ __schema { types { name kind fields { name args { type { kind } } type { ${TYPE_REF} } } } } }`;
const baseOf = (t) => (t.ofType ? baseOf(t.ofType) : t);

/** The selection of every field of `typeName` that needs no argument, objects three levels deep; `types` by name, from INTROSPECTION. */
export function selection(types, typeName, depth) {
  const type = types.get(typeName);
  if (!type || !type.fields) return '';
  const parts = [];
  const names = new Set(type.fields.map((f) => f.name));
  for (const f of type.fields) {
    if (f.args.some((a) => a.type.kind === 'NON_NULL')) continue;
    // A time is shown once, as its ISO twin (builtAtIso), not also as epoch milliseconds.
    if (names.has(`${f.name}Iso`)) continue;
    const base = baseOf(f.type);
    if (base.kind === 'SCALAR' || base.kind === 'ENUM') parts.push(f.name);
    else if (base.kind === 'OBJECT' && depth < 3) {
      const inner = selection(types, base.name, depth + 1);
      if (inner) parts.push(`${f.name} { ${inner} }`);
    }
  }
  return parts.join(' ');
}
