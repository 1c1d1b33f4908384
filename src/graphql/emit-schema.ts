import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildGraphqlSchema } from './schema';
import { schemaText } from './schema-text';

/** `npm run schema`: writes schema/schema.graphql from the resolvers. */
// Private: schema/ sits two levels above src/graphql, three above dist/src/graphql.
const ROOT = [resolve(__dirname, '..', '..'), resolve(__dirname, '..', '..', '..')].find((dir) => existsSync(resolve(dir, 'package.json'))) ?? process.cwd();
export const SCHEMA_FILE = resolve(ROOT, 'schema', 'schema.graphql');

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
