import { createHash } from 'node:crypto';
import { DEFAULT_SPLIT_SEED } from '../graphql/split';
import { EXPORT_FORMATS, type ExportParams } from './export-params';

/** `machine_learning_curated-<version>[-<split>[-seed-<seed>]].<ext>`: what a download is saved as. */
export function exportFileName(version: string, params: ExportParams): string {
  const split = params.split ? `-${params.split.toLowerCase()}${seedPart(params.splitSeed)}` : '';
  return `machine_learning_curated-${version.replace(/[^A-Za-z0-9_-]/g, '')}${split}.${EXPORT_FORMATS[params.format].extension}`;
}

/**
 * A seed other than the default, in the file name: two seeds' TRAIN files were both `…-train.csv`, and a download
 * saved by its name overwrote (or sat beside as `….1`) another split of the customers. A seed is any text: one that is
 * not already a short safe word is named by its safe characters and a hash, so two seeds get two names.
 */
function seedPart(seed: string | undefined): string {
  if (seed === undefined || seed === DEFAULT_SPLIT_SEED) return '';
  if (/^[A-Za-z0-9_-]{1,40}$/.test(seed)) return `-seed-${seed}`;
  const safe = seed.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32);
  return `-seed-${safe ? `${safe}-` : ''}${createHash('sha256').update(seed).digest('hex').slice(0, 8)}`;
}
