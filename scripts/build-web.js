#!/usr/bin/env node
// Bundles the browser pages (the GraphiQL IDE and the lake page) from src/http/web/ into dist/web/
// with esbuild, so the server serves them as static files: no CDN, nothing fetched at run time.
// Part of `npm run build` and of `npm ci` (the prepare script).
const { build } = require('esbuild');
const { readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { constants, gzipSync } = require('node:zlib');

const root = resolve(__dirname, '..');

async function buildWeb({ quiet = false } = {}) {
  const started = Date.now();
  await build({
    absWorkingDir: root,
    entryPoints: { ide: 'src/http/web/ide.jsx', lake: 'src/http/web/lake.js', 'lake-style': 'src/http/web/lake.css' },
    outdir: 'dist/web',
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    jsx: 'automatic',
    loader: { '.woff2': 'dataurl', '.svg': 'dataurl' },
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'linked',
    logLevel: quiet ? 'error' : 'warning',
  });
  // Each script and style beside its gzip, which the server sends to browsers that take it (the IDE's script: 1.2 MB, ~0.39 MB gzipped).
  const out = join(root, 'dist', 'web');
  for (const name of readdirSync(out).filter((f) => /\.(js|css)$/.test(f))) {
    writeFileSync(join(out, `${name}.gz`), gzipSync(readFileSync(join(out, name)), { level: constants.Z_BEST_COMPRESSION }));
  }
  if (!quiet) process.stdout.write(`web pages bundled into dist/web in ${Date.now() - started} ms\n`);
}

module.exports = { buildWeb };

if (require.main === module) {
  buildWeb().catch((error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
