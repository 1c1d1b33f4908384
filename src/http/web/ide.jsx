// The GraphQL IDE in the browser: GraphiQL, bundled by scripts/build-web.js (no CDN).
// The page gives the example documents and the CSP nonce; the key lives in sessionStorage (this tab only).
import { GraphiQL } from 'graphiql';
import { parse } from 'graphql';
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/graphiql.css';
import './ide.css';
import { storageWithoutHeaders } from './ide-storage';
import { checkKey, KEY_STATE_TEXT, localKeyState } from './key-check';
import { keyProblem, storedKey, storeKey } from './key-storage';
import { unreachableMessage } from './server-fetch';

// Components that add <style> elements at run time ask for this nonce (the CSP allows no other inline style).
window.__webpack_nonce__ = document.currentScript && document.currentScript.nonce;

const config = JSON.parse(document.getElementById('stedi-config').textContent);
// The key lives in sessionStorage alone: GraphiQL's own storage keeps no headers (a key typed in the headers editor).
const storage = storageWithoutHeaders();

// GraphiQL takes the operation's name from the editor a moment after the text changes: a query pasted and run at
// once (Ctrl+V, Ctrl+Enter) went with the name of the text before it, and the server answered "Unknown operation
// named …". A document of one operation runs that operation, whatever name came with it.
function withCurrentOperation(params) {
  if (!params.operationName) return params;
  try {
    const operations = parse(params.query).definitions.filter((d) => d.kind === 'OperationDefinition');
    if (operations.length !== 1 || (operations[0].name && operations[0].name.value === params.operationName)) return params;
    return { ...params, operationName: operations[0].name ? operations[0].name.value : undefined };
  } catch {
    return params; // the server says what is wrong with the text
  }
}

// Set by App: the fetcher is one function for GraphiQL's lifetime (a new one would load the schema again).
let keyRefused = () => undefined;

async function fetcher(graphiqlParams, options) {
  const params = withCurrentOperation(graphiqlParams);
  // Header names are case-insensitive: one typed in the headers editor (`Authorization`, `Content-Type`) replaces
  // ours instead of being sent beside it, which joined two keys into one value the server refused.
  const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json' });
  for (const [name, value] of Object.entries((options && options.headers) || {})) headers.set(name, String(value));
  const key = storedKey();
  if (!headers.has('authorization')) {
    // Without a key every request is refused; say what to do instead of showing a 401.
    if (!key) return { errors: [{ message: 'Enter an API key in the bar above (it is kept for this browser tab).' }] };
    if (keyProblem(key)) return { errors: [{ message: keyProblem(key) }] };
    headers.set('authorization', `Bearer ${key}`);
  }
  let response;
  try {
    response = await fetch(config.graphqlPath, { method: 'POST', headers, body: JSON.stringify(params) });
  } catch (error) {
    // GraphiQL showed a thrown fetch as "Failed to fetch" with the bundle's minified stack trace.
    return { errors: [{ message: unreachableMessage(error) }] };
  }
  // The bar's key refused later (the server restarted with other keys): the bar says so, not only this answer.
  if (response.status === 401 && headers.get('authorization') === `Bearer ${key}`) keyRefused();
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 500)}` }] };
  }
}

function KeyBar({ keyValue, keyState, onKey }) {
  const [draft, setDraft] = useState(keyValue);
  const [shown, setShown] = useState(false);
  const save = (event) => {
    event.preventDefault();
    setDraft(onKey(draft));
  };
  return (
    <form className="stedi-bar" onSubmit={save}>
      <strong>STEDI lakehouse · GraphQL</strong>
      <a href={config.lakePath}>Lake page</a>
      <label>
        API key
        <input id="stedi-key" type={shown ? 'text' : 'password'} autoComplete="off" spellCheck="false" placeholder="paste an admin or analyst key" value={draft} onChange={(e) => setDraft(e.target.value)} />
      </label>
      <label className="stedi-show">
        <input type="checkbox" checked={shown} onChange={(e) => setShown(e.target.checked)} /> show
      </label>
      <button id="stedi-key-save" type="submit">Use key</button>
      <span id="stedi-key-state" data-state={keyState}>{KEY_STATE_TEXT[keyState]}</span>
    </form>
  );
}

function App() {
  const [key, setKey] = useState(storedKey());
  const [keyState, setKeyState] = useState(() => localKeyState(key));
  useEffect(() => {
    let current = true;
    keyRefused = () => current && setKeyState('refused');
    setKeyState(localKeyState(key));
    checkKey(config.graphqlPath, key).then((state) => current && setKeyState(state));
    return () => {
      current = false;
    };
  }, [key]);
  const onKey = (value) => {
    const stored = storeKey(value);
    setKey(stored);
    return stored;
  };
  return (
    <div className="stedi-ide">
      <KeyBar keyValue={key} keyState={keyState} onKey={onKey} />
      <div className="stedi-graphiql">
        {/* A new key remounts GraphiQL: it loads the schema again and drops the "enter a key" answer. Tabs stay (localStorage). */}
        <GraphiQL key={key} fetcher={fetcher} defaultTabs={config.tabs} defaultEditorToolsVisibility="variables" shouldPersistHeaders={false} storage={storage} />
      </div>
    </div>
  );
}

createRoot(document.getElementById('root')).render(<App />);
