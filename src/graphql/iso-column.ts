import { columnTextOf, keepColumnText } from './column-text';
import { isoText, MAX_TIME_MS } from './types/iso-text';

/**
 * A batch page's ISO time column (MachineLearningColumns.sensorReadingTimeIso) from its epoch-millisecond column,
 * made only when asked: the epoch milliseconds themselves (what the DateTime scalar writes, as the row types' ISO
 * fields hold them), with the ISO column's JSON kept as its text, so the answer takes it as it is and no scalar
 * runs per row. A prepared page's column (known by its text alone, listOfText) is read back from that text.
 */
export function isoColumn(times: readonly unknown[]): readonly unknown[] {
  const text = columnTextOf(times);
  const ms = text === undefined ? [...times] : (JSON.parse(typeof text === 'string' ? text : Buffer.from(text).toString('utf8')) as unknown[]);
  // Anything no time (never from the engine: its column is SafeInt) is left to the scalar, which refuses it with its error.
  if (!ms.every((v) => typeof v === 'number' && Math.abs(v) <= MAX_TIME_MS)) return ms;
  const isos = (ms as number[]).map(isoText);
  // ISO text has no character JSON escapes.
  keepColumnText(ms, isos.length === 0 ? '[]' : `["${isos.join('","')}"]`);
  // An answer written whole by JSON.stringify (one with errors) writes the ISO text too.
  Object.defineProperty(ms, 'toJSON', { value: () => isos });
  return ms;
}
