import type { Services } from '../../src/services';
import { ADMIN, queryData } from './run-graphql';

const NESTED = 'first: 10000';

/** Every field that can carry a customer, at every depth, for one page of customers. */
const customerSelection = `serialNumber email customerName phone
  accelerometerReadings(${NESTED}) { totalCount edges { cursor node { serialNumber customer { serialNumber email } } } }
  stepTrainerReadings(${NESTED}) { totalCount edges { cursor node { serialNumber customer { serialNumber email } } } }
  machineLearningSamples(${NESTED}) { totalCount edges { cursor node { serialNumber customer { serialNumber email } } } }`;

const topLevel: Record<string, string> = {
  customers: customerSelection,
  accelerometerReadings: 'serialNumber customer { serialNumber email }',
  stepTrainerReadings: 'serialNumber customer { serialNumber email }',
  machineLearningSamples: 'serialNumber customer { serialNumber email }',
};

/**
 * Pages (as admin, so personal fields are included) through every top-level
 * connection, with every nested field of every customer, and returns the
 * JSON text of all answers and the count of customers and samples seen.
 */
export async function everyAnswer(services: Services, pageSize = 5000): Promise<{ text: string; customers: number; samples: number }> {
  const texts: string[] = [];
  let customers = 0;
  let samples = 0;
  for (const [field, selection] of Object.entries(topLevel)) {
    const first = field === 'customers' ? 100 : pageSize;
    let after: string | null = null;
    for (;;) {
      const data = await queryData(
        services,
        ADMIN,
        `query($after: String) { page: ${field}(first: ${first}, after: $after) { totalCount edges { cursor node { ${selection} } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      texts.push(JSON.stringify(data));
      if (field === 'customers') customers += data.page.edges.length;
      if (field === 'machineLearningSamples') samples += data.page.edges.length;
      if (!data.page.pageInfo.hasNextPage) break;
      after = data.page.pageInfo.endCursor;
    }
  }
  // Cursors are base64url JSON: decode them so a serial inside one is found too.
  const text = texts.join('\n');
  const decoded = [...text.matchAll(/"(?:cursor|endCursor)":"([A-Za-z0-9_-]+)"/g)].map((m) => Buffer.from(m[1], 'base64url').toString('utf8'));
  return { text: `${text}\n${decoded.join('\n')}`, customers, samples };
}
