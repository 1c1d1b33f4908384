import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildGraphqlSchema } from './schema';
import { schemaText } from './schema-text';

/** `npm run schema`: writes schema/schema.graphql from the resolvers. */
export const SCHEMA_FILE = resolve(__dirname, '..', '..', 'schema', 'schema.graphql');

async function main(): Promise<void> {
  writeFileSync(SCHEMA_FILE, schemaText(await buildGraphqlSchema()));
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
