/**
 * What to write instead of an argument this API does not have but Relay or PostGraphile clients send: graphql-js
 * says only that it is unknown, and a client written for the peer (`last`, `orderBy`, `condition`, `offset`) was
 * left to guess whether anything can do it here.
 */
const HINTS: Readonly<Record<string, string>> = {
  last: 'paging is forward only: pass `first`, then each page\'s pageInfo.endCursor as `after`',
  before: 'paging is forward only: pass `first`, then each page\'s pageInfo.endCursor as `after`',
  offset: 'pages are read with cursors: pass `first`, then each page\'s pageInfo.endCursor as `after`',
  orderBy: 'each field has one order, which its description names (the keyset its cursors follow)',
  condition: 'keep rows with `filter` (its fields are in the schema: a device\'s serialNumber, a time window)',
};

const UNKNOWN_ARGUMENT = /^Unknown argument "(\w+)" on field "\w+\.\w+"\.$/;

/** The message with what to do instead, for an unknown argument another GraphQL API has; else the message as it is. */
export function withArgumentHint(message: string): string {
  const name = UNKNOWN_ARGUMENT.exec(message)?.[1];
  // Own keys only: an argument named `constructor` or `toString` is just unknown.
  const hint = name !== undefined && Object.hasOwn(HINTS, name) ? HINTS[name] : undefined;
  return hint ? `${message.slice(0, -1)}: ${hint}.` : message;
}
