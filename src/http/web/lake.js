// The lake page: one picture of the lake for an operator, from the same GraphQL API and key as the IDE.
// It asks the schema which fields exist, so fields added to Lake later show up without a change here.
import { answerError } from './api-error';
import { isBusy, setBusy } from './busy-button';
import { downloadExport } from './export-download';
import { checkKey, KEY_STATE_TEXT, localKeyState } from './key-check';
import { keyProblem, storedKey, storeKey } from './key-storage';

const $ = (id) => document.getElementById(id);
const ZONES = ['landing', 'trusted', 'curated'];
const CONSENT_FIELD = /consent|hidden|withdrawn|erasure|revok|uncertain/i;
const SHOWN_ELSEWHERE = new Set(['liveVersion', 'engine', 'consentPolicy', 'builtAt', 'builtAtIso', 'tables', 'versions']);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}
const fmt = (v) => (typeof v === 'number' ? v.toLocaleString('en-US') : v === null || v === undefined ? '–' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const label = (name) => name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();

async function graphql(query, variables) {
  const key = storedKey();
  // Relative: the page is served at the server's root, which a proxy may put under a path.
  const response = await fetch('graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const json = await response.json().catch(() => null);
  const error = answerError(json, response.status);
  if (error) throw error;
  return json.data;
}

// ---- The schema decides the selection -------------------------------------------------------------
const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name } } }';
const INTROSPECTION = `{ __schema { types { name kind fields { name args { type { kind } } type { ${TYPE_REF} } } } } }`;
const baseOf = (t) => (t.ofType ? baseOf(t.ofType) : t);
let types = new Map();

function selection(typeName, depth) {
  const type = types.get(typeName);
  if (!type || !type.fields) return '';
  const parts = [];
  for (const f of type.fields) {
    if (f.args.some((a) => a.type.kind === 'NON_NULL')) continue;
    const base = baseOf(f.type);
    if (base.kind === 'SCALAR' || base.kind === 'ENUM') parts.push(f.name);
    else if (base.kind === 'OBJECT' && depth < 3) {
      const inner = selection(base.name, depth + 1);
      if (inner) parts.push(`${f.name} { ${inner} }`);
    }
  }
  return parts.join(' ');
}

// ---- Sections ----------------------------------------------------------------------------------
function keyValues(object, names) {
  return el('dl', { class: 'kv' }, names.filter((n) => object[n] !== undefined).map((n) => [el('dt', null, label(n)), el('dd', { 'data-field': n }, fmt(object[n]))]));
}

function table(rows, columns, attrs) {
  return el(
    'table',
    attrs,
    el('thead', null, el('tr', null, columns.map((c) => el('th', null, label(c))))),
    el('tbody', null, rows.map((r) => el('tr', null, columns.map((c) => el('td', { 'data-col': c, class: typeof r[c] === 'number' ? 'num' : '' }, fmt(r[c])))))),
  );
}

const scalarColumns = (rows) => [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => r[k] === null || typeof r[k] !== 'object')))];

function renderZones(lake) {
  const box = $('zones');
  box.replaceChildren();
  ZONES.forEach((zone, i) => {
    if (i > 0) box.append(el('div', { class: 'arrow', 'aria-hidden': 'true' }, '→'));
    const tables = (lake.tables || []).filter((t) => t.zone === zone);
    box.append(el('div', { class: `zone zone-${zone}` }, el('h3', null, zone), tables.map((t) => el('div', { class: 'table', 'data-table': t.name }, el('span', null, t.name), el('b', null, fmt(t.rows))))));
  });
}

function renderQuarantine(live) {
  const box = $('quarantine');
  const sources = live && (live.landing || live.landingCounts || live.quarantine);
  if (!Array.isArray(sources) || sources.length === 0) {
    box.replaceChildren(el('p', { class: 'muted' }, 'This server does not report quarantine counts.'));
    return;
  }
  // Reasons (any nested list) become a small list under the source's quarantine count.
  const columns = Object.keys(sources[0]).filter((k) => !Array.isArray(sources[0][k]));
  const listsOf = (s) => Object.values(s).filter(Array.isArray).flat();
  const reasons = (s) =>
    listsOf(s).length === 0
      ? null
      : el('ul', { class: 'reasons' }, listsOf(s).map((r) => el('li', null, r && typeof r === 'object' ? `${r.reason ?? Object.values(r)[0]}: ${fmt(r.count ?? Object.values(r)[1])}` : fmt(r))));
  const cell = (s, c) => el('td', { 'data-col': c, class: typeof s[c] === 'number' ? 'num' : '' }, fmt(s[c]), c === 'quarantined' ? reasons(s) : null);
  box.replaceChildren(
    el(
      'table',
      { id: 'quarantine-table' },
      el('thead', null, el('tr', null, columns.map((c) => el('th', null, label(c))))),
      el('tbody', null, sources.map((s) => el('tr', { 'data-source': s.source }, columns.map((c) => cell(s, c))))),
    ),
  );
}

function renderVersions(lake) {
  const rows = (lake.versions || []).map((v) => Object.fromEntries(Object.entries(v).filter(([, x]) => x === null || typeof x !== 'object')));
  const preferred = ['version', 'live', 'builtAtIso', 'buildDurationMs', 'consentPolicy'];
  const rest = scalarColumns(rows).filter((c) => !preferred.includes(c) && c !== 'builtAt');
  $('versions').replaceChildren(table(rows, preferred.concat(rest), { id: 'versions-table' }));
}

function renderConsent(lake) {
  const trusted = (lake.tables || []).find((t) => t.name === 'customer_trusted');
  const facts = { consentingCustomers: trusted ? trusted.rows : undefined, consentPolicy: lake.consentPolicy };
  for (const [k, v] of Object.entries(lake)) {
    if (!CONSENT_FIELD.test(k) || k === 'consentPolicy') continue;
    if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(facts, v);
    else facts[k] = v;
  }
  $('consent').replaceChildren(keyValues(facts, Object.keys(facts)));
}

function renderMore(lake) {
  const names = Object.keys(lake).filter((k) => !SHOWN_ELSEWHERE.has(k) && !CONSENT_FIELD.test(k));
  $('more').replaceChildren(keyValues(lake, names));
  $('more').closest('section').hidden = names.length === 0;
}

// ---- Rebuilds -----------------------------------------------------------------------------------
const JOB_FIELDS = 'id state consentPolicy createdAtIso finishedAtIso version error completedSteps totalSteps steps { name state rows }';

function renderJob(job) {
  return el(
    'div',
    { class: `job job-${job.state.toLowerCase()}`, 'data-job': job.id },
    el('div', null, el('b', null, job.state), ` · job ${job.id} · ${job.completedSteps}/${job.totalSteps} steps`, job.version ? ` · published ${job.version}` : '', job.error ? ` · ${job.error}` : ''),
    el('progress', { max: String(job.totalSteps), value: String(job.completedSteps) }),
  );
}

const running = (job) => job.state === 'QUEUED' || job.state === 'RUNNING';
let polling = false;

async function loadJobs() {
  const box = $('rebuilds');
  try {
    const { rebuildJobs } = await graphql(`{ rebuildJobs { ${JOB_FIELDS} } }`);
    $('rebuild-button').hidden = false;
    box.replaceChildren(...(rebuildJobs.length ? rebuildJobs.map(renderJob) : [el('p', { class: 'muted' }, 'No rebuild since the server started.')]));
    // A rebuild started anywhere (CLI, IDE, another tab) shows its progress here too; the lake reloads when it ends.
    if (!polling && rebuildJobs.some(running)) {
      polling = true;
      setTimeout(async () => {
        polling = false;
        try {
          if (!(await loadJobs()).some(running)) await refresh();
        } catch (error) {
          showError(error);
        }
      }, 1000);
    }
    return rebuildJobs;
  } catch (error) {
    if (error.code !== 'FORBIDDEN') throw error;
    $('rebuild-button').hidden = true;
    box.replaceChildren(el('p', { class: 'muted' }, 'Rebuild jobs and the rebuild button need an admin key.'));
    return [];
  }
}

async function rebuild() {
  if (isBusy($('rebuild-button'))) return;
  setBusy($('rebuild-button'), true);
  try {
    let { rebuildZones: job } = await graphql(`mutation { rebuildZones { ${JOB_FIELDS} } }`);
    while (running(job)) {
      await new Promise((r) => setTimeout(r, 400));
      await loadJobs();
      job = (await graphql(`query ($id: ID!) { rebuildJob(id: $id) { ${JOB_FIELDS} } }`, { id: job.id })).rebuildJob;
    }
    await refresh();
  } catch (error) {
    showError(error);
  } finally {
    setBusy($('rebuild-button'), false);
  }
}

// ---- The page ------------------------------------------------------------------------------------
function showError(error) {
  $('message').textContent = error.code ? `${error.code}: ${error.message}` : String(error.message || error);
  $('message').hidden = false;
}

// A refused key reads nothing: what an earlier key read goes, and so does its rebuild button (it would be refused too).
function forgetLake() {
  types = new Map();
  for (const id of ['live', 'zones', 'quarantine', 'consent', 'versions', 'rebuilds', 'more']) $(id).replaceChildren();
  $('rebuild-button').hidden = true;
  delete document.body.dataset.loaded;
}

async function refresh() {
  $('message').hidden = true;
  if (!storedKey()) {
    $('message').textContent = 'Paste an API key above: the lake page reads the same GraphQL API as the IDE.';
    $('message').hidden = false;
    return;
  }
  const problem = keyProblem(storedKey());
  if (problem) {
    $('message').textContent = problem;
    $('message').hidden = false;
    return;
  }
  try {
    if (types.size === 0) types = new Map((await graphql(INTROSPECTION)).__schema.types.map((t) => [t.name, t]));
    const { lake } = await graphql(`{ lake { ${selection('Lake', 0)} } }`);
    const live = (lake.versions || []).find((v) => v.live) || (lake.versions || [])[0];
    $('live').replaceChildren(keyValues(lake, ['liveVersion', 'engine', 'consentPolicy', 'builtAtIso']));
    renderZones(lake);
    renderQuarantine(live);
    renderVersions(lake);
    renderConsent(lake);
    renderMore(lake);
    await loadJobs();
    document.body.dataset.loaded = 'true';
  } catch (error) {
    if (error.code === 'UNAUTHENTICATED') forgetLake();
    showError(error);
    // A lake not built yet (or damaged) is what a rebuild fixes, as the message says: an admin still gets the button.
    if (error.code === 'LAKE_NOT_BUILT' || error.code === 'LAKE_DAMAGED') await loadJobs().catch(showError);
  }
}

/** The header says whether the server takes the kept key (the latest check wins when keys change fast). */
let keyChecks = 0;
async function showKeyState() {
  const check = (keyChecks += 1);
  const show = (state) => {
    $('key-state').textContent = KEY_STATE_TEXT[state];
    $('key-state').dataset.state = state;
  };
  show(localKeyState(storedKey()));
  const state = await checkKey('graphql', storedKey());
  if (check === keyChecks) show(state);
}

$('key').value = storedKey();
$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  $('key').value = storeKey($('key').value);
  types = new Map();
  void showKeyState();
  void refresh();
});
$('rebuild-button').addEventListener('click', () => void rebuild());
$('export-form').addEventListener('submit', (event) => {
  event.preventDefault();
  // Without a usable key, the message refresh shows says what to do.
  if (!storedKey() || keyProblem(storedKey())) return void refresh();
  $('message').hidden = true;
  downloadExport(event.target, $('export-state')).catch(showError);
});
void showKeyState();
void refresh();
