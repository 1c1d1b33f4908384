#!/usr/bin/env node
// The image's HEALTHCHECK: asks /readyz where `stedi serve` listens, as the server wrote it (listening-file.ts: a
// `--port` or a picked port included), else as the same settings (PORT, HOST) say. Exit 0: ready; 1: anything else, with why.
let url;
// Where no listening file of this lake's server was read, a damaged one of a running server may be why.
let unreadable = '';
try {
  const config = require('../dist/src/config.js').loadLakeConfig();
  const files = require('../dist/src/http/listening-file.js');
  const listening = files.findListening(config.lake);
  if (!listening) {
    unreadable = files.unreadableListening().map(({ file, pid }) => `; ${file} cannot be read: restart that server (pid ${pid}) to write it again, or set PORT and HOST to where it listens`).join('');
  }
  url = require('../dist/src/http/readiness-url.js').readinessUrl(listening ?? config);
} catch (error) {
  console.error(`health check: ${error.message}`);
  process.exit(1);
}
fetch(url, { signal: AbortSignal.timeout(4_000) }).then(
  async (response) => {
    if (!response.ok) console.error(`health check: ${url} answered ${response.status} ${await response.text().catch(() => '')}${unreadable}`);
    process.exit(response.ok ? 0 : 1);
  },
  (error) => {
    console.error(`health check: ${url} did not answer (${error.cause?.code ?? error.message})${unreadable}`);
    process.exit(1);
  },
);
