#!/usr/bin/env node
// The image's HEALTHCHECK: asks /readyz where `stedi serve` listens, as the server wrote it (listening-file.ts: a
// `--port` or a picked port included), else as the same settings (PORT, HOST) say. Exit 0: ready; 1: anything else, with why.
let url;
try {
  const config = require('../dist/src/config.js').loadLakeConfig();
  const listening = require('../dist/src/http/listening-file.js').findListening(config.lake);
  url = require('../dist/src/http/readiness-url.js').readinessUrl(listening ?? config);
} catch (error) {
  console.error(`health check: ${error.message}`);
  process.exit(1);
}
fetch(url, { signal: AbortSignal.timeout(4_000) }).then(
  async (response) => {
    if (!response.ok) console.error(`health check: ${url} answered ${response.status} ${await response.text().catch(() => '')}`);
    process.exit(response.ok ? 0 : 1);
  },
  (error) => {
    console.error(`health check: ${url} did not answer (${error.cause?.code ?? error.message})`);
    process.exit(1);
  },
);
