/**
 * The checks a JSON document read back is held to (the lake manifest's schema, manifest.ts): each returns the
 * first problem as "<path> <what is wrong>", or undefined, so the error names the field to fix.
 */

export type Check = (value: unknown, path: string) => string | undefined;

export const show = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 37)}...` : text;
};
export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export const text: Check = (v, p) => (typeof v === 'string' && v.length > 0 ? undefined : `${p} must be a non-empty string (found ${show(v)})`);
export const count: Check = (v, p) => (Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : `${p} must be a whole number of at least 0 (found ${show(v)})`);
export const time: Check = (v, p) => (typeof v === 'string' && Number.isFinite(Date.parse(v)) ? undefined : `${p} must be an ISO-8601 time (found ${show(v)})`);
export const oneOf =
  (values: readonly string[]): Check =>
  (v, p) =>
    values.includes(v as string) ? undefined : `${p} must be one of ${values.join(', ')} (found ${show(v)})`;
export const optional =
  (check: Check): Check =>
  (v, p) =>
    v === undefined ? undefined : check(v, p);
export const sha256: Check = (v, p) => (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? undefined : `${p} must be a hex SHA-256 (found ${show(v)})`);

export function record(fields: Record<string, Check>): Check {
  return (value, path) => {
    if (!isObject(value)) return `${path} must be an object (found ${show(value)})`;
    const unknown = Object.keys(value).find((key) => !(key in fields));
    if (unknown !== undefined) return `${path} has an unknown field ${show(unknown)}`;
    for (const [key, check] of Object.entries(fields)) {
      const problem = check(value[key], `${path}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  };
}

export const sameFor = (keys: readonly string[], check: Check): Check => record(Object.fromEntries(keys.map((k) => [k, check])));

export function list(item: Check, atLeast: number): Check {
  return (value, path) => {
    if (!Array.isArray(value)) return `${path} must be a list (found ${show(value)})`;
    if (value.length < atLeast) return `${path} must name at least ${atLeast} entr${atLeast === 1 ? 'y' : 'ies'} (found none)`;
    for (let i = 0; i < value.length; i += 1) {
      const problem = item(value[i], `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
}
