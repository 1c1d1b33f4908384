import { webBuilt } from '../../src/http/web-assets';

/** The browser pages' bundle (dist/web), built once if `npm run build` has not made it yet. */
export async function ensureWebBundle(): Promise<void> {
  if (webBuilt()) return;
  const { buildWeb } = require('../../scripts/build-web.js') as { buildWeb: (o: { quiet: boolean }) => Promise<void> };
  await buildWeb({ quiet: true });
}
