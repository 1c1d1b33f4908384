import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WEB_DIR, webBuilt } from '../../src/http/web-assets';

const SOURCES = resolve(__dirname, '..', '..', 'src', 'http', 'web');
// A file removed between the listing and its stat (a test's own file in dist/web, ide.test.ts) counts for nothing.
const newest = (dir: string): number => Math.max(...readdirSync(dir).map((f) => statSync(join(dir, f), { throwIfNoEntry: false })?.mtimeMs ?? 0));

/** The browser pages' bundle (dist/web), built again when missing or older than its sources. */
export async function ensureWebBundle(): Promise<void> {
  if (webBuilt() && newest(WEB_DIR) >= newest(SOURCES)) return;
  const { buildWeb } = require('../../scripts/build-web.js') as { buildWeb: (o: { quiet: boolean }) => Promise<void> };
  await buildWeb({ quiet: true });
}
