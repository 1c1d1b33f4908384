// Node ESM hooks that let plain Node load dt-sql-parser's ESM build: its files
// are ES modules in a package not marked "type": "module", and they import
// directories and extension-less paths, which Node's ESM resolver refuses.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const isFile = (path) => existsSync(path) && statSync(path).isFile();
const inParser = (url) => typeof url === 'string' && url.includes('/dt-sql-parser/dist/');

export async function resolve(specifier, context, next) {
  if (inParser(context.parentURL) && (specifier.startsWith('./') || specifier.startsWith('../'))) {
    const base = resolvePath(dirname(fileURLToPath(context.parentURL)), specifier);
    for (const candidate of [base, `${base}.js`, `${base}/index.js`]) {
      if (isFile(candidate)) return { url: pathToFileURL(candidate).href, format: 'module', shortCircuit: true };
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  return next(url, inParser(url) ? { ...context, format: 'module' } : context);
}
