/**
 * What breaks Prometheus's naming conventions in a /metrics text (as `promtool check metrics` reads them): a counter
 * not ending in `_total`, another type ending in it (a dashboard takes rate() of it), a metric without help text or
 * outside the `stedi_` namespace. One sentence per problem, naming the metric; none: [].
 */
export function metricNamingProblems(text: string): string[] {
  const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  const helps = new Map([...text.matchAll(/^# HELP (\S+) ?(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
  const problems: string[] = [];
  for (const [name, type] of types) {
    if (!/^stedi_[a-z0-9_]+$/.test(name)) problems.push(`${name}: not a lower-case stedi_ name`);
    if (type === 'counter' && !name.endsWith('_total')) problems.push(`${name}: a counter not ending in _total`);
    if (type !== 'counter' && name.endsWith('_total')) problems.push(`${name}: a ${type} ending in _total`);
    if (!helps.get(name)) problems.push(`${name}: no help text`);
  }
  return problems;
}
