/**
 * The in-browser GraphQL IDE, one self-contained page: no CDN, no external
 * file, so it works on a machine without internet. It posts to this server's
 * /graphql with the key the user types as an Authorization header, and can
 * load the schema by introspection to browse it.
 */

const EXAMPLE_QUERY = `# Ctrl+Enter runs the query. Paste an API key above first.
query TrainingPage($after: String) {
  lake { liveVersion consentPolicy builtAtIso }
  machineLearningSamples(first: 10, after: $after, split: TRAIN) {
    totalCount
    edges { node { serialNumber sensorReadingTime distanceFromObject x y z } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:14px system-ui,sans-serif;color:#1d2330;background:#f4f6fa;height:100vh;display:flex;flex-direction:column}
header{display:flex;gap:12px;align-items:center;padding:8px 12px;background:#1d2330;color:#fff;flex-wrap:wrap}
header h1{font-size:15px;margin:0 12px 0 0}header label{display:flex;gap:6px;align-items:center}
input,select,button,textarea{font:inherit}input{padding:4px 6px;border-radius:4px;border:1px solid #9aa3b5}
#key{width:22em}button{padding:5px 14px;border:0;border-radius:4px;background:#3b6fe0;color:#fff;cursor:pointer}
button.secondary{background:#5b6478}button:disabled{opacity:.6;cursor:wait}
main{flex:1;display:grid;grid-template-columns:1fr 1fr 18em;gap:8px;padding:8px;min-height:0}
section{display:flex;flex-direction:column;min-height:0;background:#fff;border:1px solid #d5dae4;border-radius:6px}
section h2{font-size:12px;text-transform:uppercase;letter-spacing:.05em;margin:0;padding:6px 10px;border-bottom:1px solid #e3e7ee;color:#5b6478}
textarea{flex:1;border:0;padding:10px;font:13px ui-monospace,Menlo,Consolas,monospace;resize:none;outline:none}
#variables{flex:0 0 8em;border-top:1px solid #e3e7ee}
pre{flex:1;margin:0;padding:10px;overflow:auto;font:13px ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap}
#status{font-size:12px;color:#c9d1e0}.error{color:#b3261e}
#schema{flex:1;overflow:auto;padding:6px 10px;font:12px ui-monospace,Menlo,Consolas,monospace}
#schema a{color:#3b6fe0;cursor:pointer;text-decoration:underline}#schema .field{margin:2px 0 2px 8px}#schema .doc{color:#6b7280;margin-left:16px}
`;

const SCRIPT = `
const $ = (id) => document.getElementById(id);
const keyInput = $('key'), query = $('query'), variables = $('variables'), result = $('result'), status = $('status');
keyInput.value = sessionStorage.getItem('stedi-key') || '';
query.value = sessionStorage.getItem('stedi-query') || query.value;
keyInput.addEventListener('change', () => sessionStorage.setItem('stedi-key', keyInput.value.trim()));
query.addEventListener('input', () => sessionStorage.setItem('stedi-query', query.value));
$('show').addEventListener('change', (e) => { keyInput.type = e.target.checked ? 'text' : 'password'; });

async function post(body) {
  const headers = { 'content-type': 'application/json' };
  const key = keyInput.value.trim();
  if (key) headers.authorization = 'Bearer ' + key;
  const started = performance.now();
  const response = await fetch(location.pathname, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  let json; try { json = JSON.parse(text); } catch { json = { raw: text }; }
  return { response, json, ms: Math.round(performance.now() - started) };
}

async function run() {
  let vars = {};
  if (variables.value.trim()) {
    try { vars = JSON.parse(variables.value); } catch (e) { show('Variables are not valid JSON: ' + e.message, true); return; }
  }
  $('run').disabled = true; status.textContent = 'running…';
  try {
    const { response, json, ms } = await post({ query: query.value, variables: vars });
    status.textContent = response.status + ' · ' + ms + ' ms · request id ' + (response.headers.get('x-request-id') || '-');
    show(JSON.stringify(json, null, 2), !response.ok || Boolean(json.errors));
  } catch (e) { show('Request failed: ' + e.message, true); status.textContent = ''; }
  finally { $('run').disabled = false; }
}
function show(text, isError) { result.textContent = text; result.className = isError ? 'error' : ''; }

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }';
const INTROSPECTION = '{ __schema { queryType { name } mutationType { name } types { kind name description fields { name description args { name type { ' + TYPE_REF + ' } } type { ' + TYPE_REF + ' } } inputFields { name type { ' + TYPE_REF + ' } } enumValues { name } } } }';
let types = new Map();
const typeName = (t) => t.kind === 'NON_NULL' ? typeName(t.ofType) + '!' : t.kind === 'LIST' ? '[' + typeName(t.ofType) + ']' : t.name;
const baseName = (t) => t.ofType ? baseName(t.ofType) : t.name;

async function loadSchema() {
  const { response, json } = await post({ query: INTROSPECTION });
  if (!response.ok || json.errors) { $('schema').textContent = 'Cannot load the schema: ' + ((json.errors && json.errors[0].message) || response.status); return; }
  types = new Map(json.data.__schema.types.filter((t) => !t.name.startsWith('__')).map((t) => [t.name, t]));
  const roots = [json.data.__schema.queryType, json.data.__schema.mutationType].filter(Boolean).map((t) => t.name);
  showType(roots[0], roots);
}

function showType(name, roots) {
  const box = $('schema'); box.textContent = '';
  const line = (parent, cls) => { const div = document.createElement('div'); if (cls) div.className = cls; parent.appendChild(div); return div; };
  const link = (parent, label, target) => { const a = document.createElement('a'); a.textContent = label; a.addEventListener('click', () => showType(target, roots)); parent.appendChild(a); };
  const nav = line(box); (roots || []).forEach((r) => { link(nav, r, r); nav.append(' '); });
  const type = types.get(name); if (!type) return;
  const title = line(box); title.textContent = type.kind.toLowerCase() + ' ' + type.name;
  if (type.description) line(box, 'doc').textContent = type.description;
  for (const f of type.fields || type.inputFields || []) {
    const row = line(box, 'field');
    const args = (f.args || []).map((a) => a.name + ': ' + typeName(a.type)).join(', ');
    row.append(f.name + (args ? '(' + args + ')' : '') + ': ');
    link(row, typeName(f.type), baseName(f.type));
    if (f.description) line(box, 'doc').textContent = f.description;
  }
  for (const v of type.enumValues || []) line(box, 'field').textContent = v.name;
}

$('run').addEventListener('click', run);
$('load-schema').addEventListener('click', loadSchema);
document.addEventListener('keydown', (e) => { if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') { e.preventDefault(); run(); } });
`;

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The page, with `nonce` on its one style and one script (the Content-Security-Policy allows nothing else). */
export function idePage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>STEDI lakehouse · GraphQL</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header>
  <h1>STEDI lakehouse GraphQL</h1>
  <label>Authorization: Bearer <input id="key" type="password" autocomplete="off" spellcheck="false" placeholder="paste an API key"></label>
  <label><input id="show" type="checkbox"> show</label>
  <button id="run" title="Ctrl+Enter">Run</button>
  <button id="load-schema" class="secondary">Load schema</button>
  <span id="status"></span>
</header>
<main>
  <section><h2>Query</h2><textarea id="query" spellcheck="false">${escapeHtml(EXAMPLE_QUERY)}</textarea>
    <h2>Variables (JSON)</h2><textarea id="variables" spellcheck="false">{}</textarea></section>
  <section><h2>Result</h2><pre id="result">Paste a key, then Run (Ctrl+Enter).</pre></section>
  <section><h2>Schema</h2><div id="schema">Load schema lists the queries, mutations and types.</div></section>
</main>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}
