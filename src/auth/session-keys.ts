import { newApiKey } from './api-keys';

/**
 * Keys made up for `npm start` when none are configured, so a first run works
 * without setup. dev-keys.ts keeps them in the lake folder between runs.
 */
export interface SessionKeys {
  admin: string;
  analyst: string;
  /** The STEDI_API_KEYS value holding both keys. */
  setting: string;
}

export const sessionKeys = (admin: string, analyst: string): SessionKeys => ({ admin, analyst, setting: `${admin}:admin,${analyst}:analyst` });

export const generateSessionKeys = (): SessionKeys => sessionKeys(newApiKey(), newApiKey());

/** Lines framed in a box, so they stand out from the log lines above them. */
export function boxed(lines: readonly string[]): string {
  const width = Math.max(...lines.map((l) => l.length));
  const bar = '─'.repeat(width + 2);
  return [`┌${bar}┐`, ...lines.map((l) => `│ ${l.padEnd(width)} │`), `└${bar}┘`].join('\n');
}

/** What `npm start` prints last: both keys, where they are kept, and a curl line to paste. */
export function formatSessionKeys(keys: SessionKeys, baseUrl: string, keptIn?: string): string {
  const graphqlUrl = `${baseUrl}/graphql`;
  const query = JSON.stringify({ query: '{ lake { liveVersion } customers(first: 3) { totalCount edges { node { serialNumber } } } }' });
  const kept = keptIn
    ? [`Kept in ${keptIn} (mode 0600) and reused by the next npm start;`, 'delete that file for new keys. Set STEDI_API_KEYS for your own.']
    : ['They stop working when the server stops. To keep them, start with:', `  STEDI_API_KEYS="${keys.setting}" npm start`];
  const box = boxed([
    'Development API keys (no STEDI_API_KEYS / STEDI_API_KEYS_FILE configured):',
    `  admin   ${keys.admin}`,
    `  analyst ${keys.analyst}`,
    ...kept,
    '',
    `Lake page: ${baseUrl}/    GraphQL IDE: ${graphqlUrl}`,
    '(paste a key into the page once; the browser tab keeps it)',
  ]);
  // The box comes last, so the keys are what stays on screen.
  return `Try it:
  curl -s ${graphqlUrl} -H "authorization: Bearer ${keys.analyst}" -H 'content-type: application/json' -d '${query}'

${box}
`;
}

