import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildGraphqlSchema } from '../../src/graphql/schema';
import { schemaText } from '../../src/graphql/schema-text';

const SCHEMA_FILE = resolve(__dirname, '..', '..', 'schema', 'schema.graphql');

describe('the checked-in schema', () => {
  it('matches the schema the resolvers build (run `npm run schema` after changing them)', async () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(schemaText(await buildGraphqlSchema()));
  });

  it('exposes timestamps as SafeInt epoch milliseconds with DateTime twins, and no email on training rows', async () => {
    const text = readFileSync(SCHEMA_FILE, 'utf8');
    expect(text).toMatch(/sensorReadingTime: SafeInt!\n/);
    expect(text).toMatch(/sensorReadingTimeIso: DateTime!\n/);
    const sample = /type MachineLearningSample \{[^}]*\}/.exec(text)![0];
    expect(sample).not.toMatch(/email/);
  });

  it('lets one failed field leave the rest of an answer: connections and totalCount are nullable, their pages are not', () => {
    const text = readFileSync(SCHEMA_FILE, 'utf8');
    const query = /type Query \{[^}]*\}/.exec(text)![0];
    for (const type of ['Customer', 'AccelerometerReading', 'StepTrainerReading', 'MachineLearningSample']) expect(query).toContain(`): ${type}Connection\n`);
    expect(text).not.toMatch(/Connection!/);
    expect(text).toMatch(/totalCount: SafeInt\n/);
    expect(text).not.toMatch(/totalCount: SafeInt!/);
    expect(text).toMatch(/edges: \[\w+Edge!\]!\n/);
  });
});
