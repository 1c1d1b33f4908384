import { createHash } from 'node:crypto';
import { serialSpellingOf } from '../../etl/landing/serial-spelling';
import { DEFAULT_SPLIT_SEED } from '../graphql/split';
import { EXPORT_FORMATS, type ExportParams } from './export-params';

/**
 * `machine_learning_curated-<version>[-<split>[-seed-<seed>]][-serial-<serial>][-from-<ms>][-to-<ms>].<ext>`: what a
 * download is saved as. The filter is in the name: two devices' (or two windows') exports were both `…-<version>.csv`,
 * and a notebook saving by that name overwrote one with the other.
 */
export function exportFileName(version: string, params: ExportParams): string {
  const split = params.split ? `-${params.split.toLowerCase()}${params.splitSeed === undefined || params.splitSeed === DEFAULT_SPLIT_SEED ? '' : safePart('seed', params.splitSeed)}` : '';
  // A device by its spelling as the filter matches it (case and spaces aside): one device, one name.
  const serial = params.serialNumber === undefined ? '' : safePart('serial', serialSpellingOf(params.serialNumber) || params.serialNumber);
  const window = `${params.from === undefined ? '' : `-from-${params.from}`}${params.to === undefined ? '' : `-to-${params.to}`}`;
  return `machine_learning_curated-${version.replace(/[^A-Za-z0-9_-]/g, '')}${split}${serial}${window}.${EXPORT_FORMATS[params.format].extension}`;
}

/**
 * `-<label>-<text>`, for any text: one that is not already a short safe word is named by its safe characters and a
 * hash, so two texts get two names and no quote, slash or control character reaches the header.
 */
function safePart(label: string, text: string): string {
  if (/^[A-Za-z0-9_-]{1,40}$/.test(text)) return `-${label}-${text}`;
  const safe = text.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32);
  return `-${label}-${safe ? `${safe}-` : ''}${createHash('sha256').update(text).digest('hex').slice(0, 8)}`;
}
