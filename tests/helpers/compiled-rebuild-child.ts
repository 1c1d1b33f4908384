import { resolve } from 'node:path';
import type { BuildRunner } from '../../src/rebuild/rebuilds';
import { buildInChildProcess } from '../../src/rebuild/rebuild-process';

/** The compiled rebuild child, in dist/ as global-setup.ts compiled it from this tree. */
export const COMPILED_REBUILD_CHILD = resolve(__dirname, '..', '..', 'dist', 'src', 'rebuild', 'rebuild-child.js');

/**
 * A server's rebuild in a child process, as a server runs it, started from the compiled child: from the TypeScript
 * beside the tests, ts-node compiled a hundred modules in every child (2.5 CPU s a rebuild, at nice 10: a rebuild
 * waited its turn for seconds on a busy CI host).
 */
export const buildInCompiledChild: BuildRunner = (config, options, onProgress, onStaged, onBuildAgain) =>
  buildInChildProcess(config, options, onProgress, onStaged, onBuildAgain, COMPILED_REBUILD_CHILD);
