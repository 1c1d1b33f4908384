import { resolve } from 'node:path';
import type { OutFolderFlags } from './out-folder';

/** What `generateLanding` is asked to write; everything but `out` has a default. */
export interface GenerateOptions {
  /** Folder that receives `customer/landing/`, `accelerometer/landing/`, `step_trainer/landing/`. */
  out: string;
  customers?: number;
  /** Equal seeds give byte-identical files; `42` and `'42'` are the same seed. */
  seed?: number | string;
  /** Chance, 0..1, that a clean line is followed by a bad one (malformed, missing field, wrong type, duplicate). */
  dirty?: number;
  /** Replace the data files of landing folders that already hold files, instead of refusing. */
  force?: boolean;
  maxLinesPerFile?: number;
  onProgress?: (progress: GenerateProgress) => void;
  /** Stops the generate between two customers: it rejects with the signal's reason and the landing folders are untouched. */
  signal?: AbortSignal;
  /** The flags an output folder's fix names (default --out and --force). */
  flags?: OutFolderFlags;
}

export interface GenerateProgress {
  customersDone: number;
  customers: number;
  /** Lines written so far, all sources. */
  lines: number;
}

export const GENERATE_DEFAULTS = { customers: 1_000, seed: 42, dirty: 0, maxLinesPerFile: 250_000 } as const;

export type ValidGenerateOptions = Required<Omit<GenerateOptions, 'onProgress' | 'signal' | 'seed' | 'flags'>> & Pick<GenerateOptions, 'onProgress' | 'signal' | 'flags'> & { seed: string };

/** Options a caller got wrong; the message says what to fix. */
export class GenerateInputError extends Error {
  readonly code = 'BAD_USER_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'GenerateInputError';
  }
}

const wholeAtLeastOne = (what: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new GenerateInputError(`${what} must be a whole number of at least 1; received ${JSON.stringify(value)}`);
  }
  return value;
};

export function validateGenerateOptions(options: GenerateOptions): ValidGenerateOptions {
  if (typeof options.out !== 'string' || options.out.trim() === '') throw new GenerateInputError('an output folder (--out) is required');
  const dirty = options.dirty ?? GENERATE_DEFAULTS.dirty;
  if (typeof dirty !== 'number' || !(dirty >= 0 && dirty <= 1)) {
    throw new GenerateInputError(`the dirty fraction must be a number from 0 to 1; received ${JSON.stringify(dirty)}`);
  }
  const seed = options.seed ?? GENERATE_DEFAULTS.seed;
  if ((typeof seed !== 'string' && typeof seed !== 'number') || seed === '' || (typeof seed === 'number' && !Number.isFinite(seed))) {
    throw new GenerateInputError(`the seed must be a non-empty string or a finite number; received ${JSON.stringify(seed)}`);
  }
  return {
    out: resolve(options.out),
    customers: wholeAtLeastOne('the number of customers', options.customers ?? GENERATE_DEFAULTS.customers),
    seed: String(seed),
    dirty,
    force: options.force ?? false,
    maxLinesPerFile: wholeAtLeastOne('the lines per file', options.maxLinesPerFile ?? GENERATE_DEFAULTS.maxLinesPerFile),
    onProgress: options.onProgress,
    signal: options.signal,
    flags: options.flags,
  };
}
