import { newApiKey } from './api-keys';

/**
 * Keys made up for one `npm start` session when none are configured, so a
 * first run works without setup. They live only in this process's memory.
 */
export interface SessionKeys {
  admin: string;
  analyst: string;
  /** The STEDI_API_KEYS value holding both keys. */
  setting: string;
}

export function generateSessionKeys(): SessionKeys {
  const admin = newApiKey();
  const analyst = newApiKey();
  return { admin, analyst, setting: `${admin}:admin,${analyst}:analyst` };
}

/** What `npm start` prints: both keys and a curl line to paste. */
export function formatSessionKeys(keys: SessionKeys, graphqlUrl: string): string {
  const query = JSON.stringify({ query: '{ lake { liveVersion } customers(first: 3) { totalCount edges { node { serialNumber } } } }' });
  return [
    'No API keys were configured (STEDI_API_KEYS / STEDI_API_KEYS_FILE), so this session has its own:',
    `  admin   ${keys.admin}`,
    `  analyst ${keys.analyst}`,
    'They stop working when the server stops. To keep them, start with:',
    `  STEDI_API_KEYS="${keys.setting}" npm start`,
    '',
    'Try it:',
    `  curl -s ${graphqlUrl} -H "authorization: Bearer ${keys.analyst}" -H 'content-type: application/json' -d '${query}'`,
    `Or open ${graphqlUrl} in a browser and paste a key into the Authorization field.`,
    '',
  ].join('\n');
}
