import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package root (where package.json is), the same from src/ (tests, ts-node) and dist/src/ (the CLI). */
export function packageRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return from;
    dir = up;
  }
  return dir;
}

/** This package's version, from package.json. */
export const packageVersion = (): string => (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
