import { main } from '../../src/cli';

export interface CliRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs the `stedi` CLI in-process, capturing what it prints and its exit code. */
export async function runCli(...args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  const previous = process.exitCode;
  process.exitCode = 0;
  try {
    await main(['node', 'stedi', ...args]);
    return { stdout, stderr, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = previous;
    out.mockRestore();
    err.mockRestore();
  }
}
