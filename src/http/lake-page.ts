import { browserPage } from './browser-page';

const LAKE_BODY = `<header>
  <h1>STEDI lakehouse</h1>
  <a href="graphql">GraphQL IDE</a>
  <a href="metrics">Metrics</a>
  <form id="key-form">
    <label for="key">API key</label>
    <input id="key" type="password" autocomplete="off" spellcheck="false" placeholder="paste an admin or analyst key">
    <button type="submit">Use key</button>
    <span id="key-state" role="status"></span>
  </form>
</header>
<p id="message" role="alert" hidden></p>
<main>
  <section class="wide"><h2>Live version</h2><div id="live"></div></section>
  <section class="wide"><h2>Zones: landing → trusted → curated (rows)</h2><div id="zones"></div></section>
  <section><h2>Quarantine per landing source</h2><div id="quarantine"></div></section>
  <section><h2>Consent registry</h2><div id="consent"></div></section>
  <section class="wide"><h2>Download the training set (machine_learning_curated)</h2>
    <form id="export-form" class="export">
      <label>format <select name="format"><option value="parquet">Parquet</option><option value="csv">CSV</option><option value="ndjson">NDJSON</option></select></label>
      <label>split <select name="split"><option value="">every row</option><option>TRAIN</option><option>VALIDATION</option><option>TEST</option></select></label>
      <label>split seed <input name="seed" placeholder="stedi" spellcheck="false" size="12"></label>
      <label>device <input name="serialNumber" placeholder="any serialNumber" spellcheck="false" autocomplete="off" size="24"></label>
      <label>from <input name="from" placeholder="epoch ms or ISO, UTC" spellcheck="false" autocomplete="off" size="22"></label>
      <label>to <input name="to" placeholder="epoch ms or ISO, UTC" spellcheck="false" autocomplete="off" size="22"></label>
      <button type="submit">Download</button>
      <span id="export-state" class="muted" role="status"></span>
    </form>
  </section>
  <section class="wide"><h2>Versions</h2><div id="versions"></div></section>
  <section class="wide"><h2>Rebuild jobs</h2><button id="rebuild-button" type="button" hidden>Rebuild the zones now</button><div id="rebuilds"></div></section>
  <section class="wide"><h2>More</h2><div id="more"></div></section>
</main>`;

/**
 * GET / from a browser: the lake page, an operator's picture of the lake
 * (zones with row counts, quarantine, versions, consent, rebuilds). The HTML
 * holds no data: its script reads the lake through /graphql with the key the
 * user enters, so the page is as open as the API and no more. Served at / only,
 * so its links are relative to the root (see rootFrom).
 */
export const lakePageHandler = browserPage('lake page', () => ({
  title: 'STEDI lakehouse · the lake',
  stylesheet: 'lake-style.css',
  script: 'lake.js',
  body: LAKE_BODY,
}));
