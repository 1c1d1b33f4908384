import type { Services } from '../../src/services';
import { ADMIN, queryData } from './run-graphql';

/**
 * Every field that can carry a customer, at every depth, for one page of
 * customers. Rows name their customer by serialNumber; emails are read on the
 * customers themselves (a per-row email would only repeat them, slowly).
 */
const customerSelection = (nestedFirst: number): string => `serialNumber email customerName phone
  accelerometerReadings(first: ${nestedFirst}) { totalCount edges { cursor node { serialNumber customer { serialNumber } } } }
  stepTrainerReadings(first: ${nestedFirst}) { totalCount edges { cursor node { serialNumber customer { serialNumber } } } }
  machineLearningSamples(first: ${nestedFirst}) { totalCount edges { cursor node { serialNumber customer { serialNumber } } } }`;

const topLevel = (nestedFirst: number): Record<string, string> => ({
  customers: customerSelection(nestedFirst),
  // Every row at the top level; the rows' `customer` field is covered under customers above.
  accelerometerReadings: 'serialNumber timestamp',
  stepTrainerReadings: 'serialNumber sensorReadingTime',
  machineLearningSamples: 'serialNumber sensorReadingTime',
});

/** Every string in an answer, with cursors decoded (they are base64url JSON) so a value inside one is found too. */
function collectStrings(value: unknown, into: Set<string>, key = ''): void {
  if (typeof value === 'string') {
    into.add(value);
    if (key === 'cursor' || key === 'endCursor') collectStrings(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')), into);
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, into, key);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectStrings(v, into, k);
  }
}

export interface EveryAnswer {
  /** Every string value seen in any answer (serials, emails, names, cursor contents). */
  strings: Set<string>;
  customers: number;
  samples: number;
}

/**
 * Pages (as admin, so personal fields are included) through every top-level
 * connection, with every nested field of every customer, and collects every
 * string of every answer.
 */
export async function everyAnswer(services: Services, options: { pageSize?: number; nestedFirst?: number } = {}): Promise<EveryAnswer> {
  const pageSize = options.pageSize ?? 5000;
  const strings = new Set<string>();
  let customers = 0;
  let samples = 0;
  // Nested pages of 100 hold every row of a fixture's customer (the cost limit refuses much larger ones); a smaller
  // nestedFirst samples them (top-level pages still see every row).
  for (const [field, selection] of Object.entries(topLevel(options.nestedFirst ?? 100))) {
    const first = field === 'customers' ? 100 : pageSize;
    let after: string | null = null;
    for (;;) {
      const data = await queryData(
        services,
        ADMIN,
        `query($after: String) { page: ${field}(first: ${first}, after: $after) { totalCount edges { cursor node { ${selection} } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      collectStrings(data, strings);
      if (field === 'customers') customers += data.page.edges.length;
      if (field === 'machineLearningSamples') samples += data.page.edges.length;
      if (!data.page.pageInfo.hasNextPage) break;
      after = data.page.pageInfo.endCursor;
    }
  }
  return { strings, customers, samples };
}
