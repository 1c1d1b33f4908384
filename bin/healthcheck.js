#!/usr/bin/env node
// The image's HEALTHCHECK: asks /readyz where `stedi serve` listens, read from the same settings (PORT, HOST) by the
// same code, so a container given another port or address stays checked. Exit 0: ready; 1: anything else, with why.
let url;
try {
  url = require('../dist/src/http/readiness-url.js').readinessUrl(require('../dist/src/config.js').loadConfig());
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
