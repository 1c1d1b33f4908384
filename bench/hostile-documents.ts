/**
 * The hostile client's documents in benchmark 10 (issue 10's kinds): an introspection chain next to a huge scan, large
 * introspection documents, aliased totalCounts with new seeds, and wrong variables.
 */

/** The n-th hostile request: each kind in turn, never the same text twice. */
export function hostileBody(n: number): string {
  const tag = `${n}-${Math.random().toString(36).slice(2)}`;
  const scan = 'machineLearningSamples(first: 10000) { edges { node { customer { accelerometerReadings(first: 10000) { edges { node { x } } } } } } }';
  switch (n % 5) {
    case 0:
      return JSON.stringify({ query: `# ${tag}\n{ __type(name: "Query") { ${'ofType { '.repeat(2400)}name${' }'.repeat(2400)} } ${scan} }` });
    case 1:
      // 20 KB in one literal: within the token limit, so it is parsed, validated and executed.
      return JSON.stringify({ query: `{ __type(name: "${tag}${'x'.repeat(20_000)}") { name } __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }` });
    case 2:
      return JSON.stringify({ query: `{ ${Array.from({ length: 400 }, (_, i) => `c${i}: machineLearningSamples(first: 1, split: TEST, splitSeed: "${tag}-${i}") { totalCount }`).join(' ')} }` });
    case 3:
      // Within the token and alias limits: new seeds are uncached counts, capped per request.
      return JSON.stringify({ query: `{ ${Array.from({ length: 6 }, (_, i) => `c${i}: machineLearningSamples(first: 1, split: TEST, splitSeed: "${tag}-${i}") { totalCount }`).join(' ')} }` });
    default: {
      const values = [2147483648, '1655564000000', 1e300, { $gt: 0 }, ['a'], 'TRAINING'];
      return JSON.stringify({ query: `query Q($v: SafeInt, $s: Split) { stepTrainerReadings(filter: { from: $v }) { totalCount } machineLearningSamples(split: $s) { totalCount } }`, variables: { v: values[n % values.length], s: n % 2 ? 'TRAINING' : null } });
    }
  }
}
