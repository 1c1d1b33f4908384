// The lake page's sections, each drawn from the Lake fields the schema offered (a field it lacks is left out).
import { $, el, fmt, label } from './page-elements';

const ZONES = ['landing', 'trusted', 'curated'];
const CONSENT_FIELD = /consent|hidden|withdrawn|erasure|revok|uncertain/i;
const SHOWN_ELSEWHERE = new Set(['liveVersion', 'engine', 'consentPolicy', 'builtAt', 'builtAtIso', 'tables', 'versions']);

export function keyValues(object, names) {
  return el('dl', { class: 'kv' }, names.filter((n) => object[n] !== undefined).map((n) => [el('dt', null, label(n)), el('dd', { 'data-field': n }, fmt(object[n]))]));
}

function table(rows, columns, attrs) {
  return el(
    'table',
    attrs,
    el('thead', null, el('tr', null, columns.map((c) => el('th', null, label(c))))),
    el('tbody', null, rows.map((r) => el('tr', null, columns.map((c) => el('td', { 'data-col': c, 'data-label': label(c), class: typeof r[c] === 'number' ? 'num' : '' }, fmt(r[c])))))),
  );
}

const scalarColumns = (rows) => [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => r[k] === null || typeof r[k] !== 'object')))];

export function renderZones(lake) {
  const box = $('zones');
  box.replaceChildren();
  ZONES.forEach((zone, i) => {
    if (i > 0) box.append(el('div', { class: 'arrow', 'aria-hidden': 'true' }, '→'));
    const tables = (lake.tables || []).filter((t) => t.zone === zone);
    box.append(el('div', { class: `zone zone-${zone}` }, el('h3', null, zone), tables.map((t) => el('div', { class: 'table', 'data-table': t.name }, el('span', null, t.name), el('b', null, fmt(t.rows))))));
  });
}

export function renderQuarantine(live) {
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
  const cell = (s, c) => el('td', { 'data-col': c, 'data-label': label(c), class: typeof s[c] === 'number' ? 'num' : '' }, fmt(s[c]), c === 'quarantined' ? reasons(s) : null);
  box.replaceChildren(
    el(
      'table',
      { id: 'quarantine-table' },
      el('thead', null, el('tr', null, columns.map((c) => el('th', null, label(c))))),
      el('tbody', null, sources.map((s) => el('tr', { 'data-source': s.source }, columns.map((c) => cell(s, c))))),
    ),
  );
}

export function renderVersions(lake) {
  const rows = (lake.versions || []).map((v) => Object.fromEntries(Object.entries(v).filter(([, x]) => x === null || typeof x !== 'object')));
  const preferred = ['version', 'live', 'builtAtIso', 'buildDurationMs', 'consentPolicy'];
  const rest = scalarColumns(rows).filter((c) => !preferred.includes(c) && c !== 'builtAt');
  $('versions').replaceChildren(table(rows, preferred.concat(rest), { id: 'versions-table' }));
}

export function renderConsent(lake) {
  const trusted = (lake.tables || []).find((t) => t.name === 'customer_trusted');
  const facts = { consentingCustomers: trusted ? trusted.rows : undefined, consentPolicy: lake.consentPolicy };
  for (const [k, v] of Object.entries(lake)) {
    if (!CONSENT_FIELD.test(k) || k === 'consentPolicy') continue;
    if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(facts, v);
    // A generation is a digest that only changes, not a count: 1368777218, not 1,368,777,218.
    else facts[k] = /generation/i.test(k) && typeof v === 'number' ? String(v) : v;
  }
  $('consent').replaceChildren(keyValues(facts, Object.keys(facts)));
}

export function renderMore(lake) {
  const names = Object.keys(lake).filter((k) => !SHOWN_ELSEWHERE.has(k) && !CONSENT_FIELD.test(k));
  $('more').replaceChildren(keyValues(lake, names));
  $('more').closest('section').hidden = names.length === 0;
}
