import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, removeDeadProcessFolders } from '../../etl/dead-process-folders';

/**
 * Where each running `stedi serve` says it listens, so a probe on this machine (the image's HEALTHCHECK) finds a
 * port given by `--port` or picked by the kernel (port 0), which no setting it can read names. One file per
 * server process, in a folder of the machine's temporary one (a lake may be read-only or on S3), owner-only.
 */

export interface Listening {
  pid: number;
  lake: string;
  host: string;
  port: number;
  /** ms since the epoch. */
  startedAt: number;
}

/** The user's folder of listening files; the uid keeps two users' servers (and their permissions) apart. */
export const listeningFolder = (): string => join(tmpdir(), `stedi-${process.getuid?.() ?? 'user'}`);

const LISTENING_NAME = /^serve-(\d+)\.json$/;

const fileOf = (pid: number): string => join(listeningFolder(), `serve-${pid}.json`);

/** Says where this process listens; returns the function that removes the file (it goes too when the process exits). */
export function announceListening(listening: Omit<Listening, 'pid' | 'startedAt'>): () => void {
  const file = fileOf(process.pid);
  const removeFile = (): void => rmSync(file, { force: true });
  try {
    mkdirSync(listeningFolder(), { recursive: true, mode: 0o700 });
    // A killed server (kill -9, a crash) left its file: each start removes those, so they do not pile up.
    removeDeadProcessFolders(listeningFolder(), LISTENING_NAME);
    // Written whole, then renamed: a probe reading at that moment sees the old file or the new one, never half of one.
    const temporary = `${file}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ pid: process.pid, startedAt: Date.now(), ...listening })}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    // A temporary folder that cannot be written: serving goes on, and a probe falls back to PORT and HOST.
    return () => undefined;
  }
  process.once('exit', removeFile);
  return () => {
    process.off('exit', removeFile);
    removeFile();
  };
}

const parsed = (text: string): Listening | undefined => {
  try {
    const value = JSON.parse(text) as Listening;
    return Number.isInteger(value.pid) && Number.isInteger(value.port) && Number.isFinite(value.startedAt) && typeof value.host === 'string' && typeof value.lake === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
};

/** Every listening file: its path, the pid its name gives, and what it says when it reads whole. */
function listeningFiles(): Array<{ file: string; pid: number; listening?: Listening }> {
  let names: string[];
  try {
    names = readdirSync(listeningFolder());
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const pid = Number(LISTENING_NAME.exec(name)?.[1]);
    if (!pid) return [];
    const file = join(listeningFolder(), name);
    try {
      return [{ file, pid, listening: parsed(readFileSync(file, 'utf8')) }];
    } catch {
      return [{ file, pid }];
    }
  });
}

/** The running server of `lake` on this machine (the last started, if two); a killed server's file is skipped. */
export function findListening(lake: string): Listening | undefined {
  const running = listeningFiles()
    .map((f) => f.listening)
    .filter((l): l is Listening => l !== undefined && isAlive(l.pid));
  // Only this lake's: the only server running could be another lake's, whose readiness says nothing of this one.
  return running.filter((l) => l.lake === lake).sort((a, b) => b.startedAt - a.startedAt)[0];
}

/**
 * Listening files of servers still running that cannot be read whole (cut, zeroed or overwritten by hand): a probe
 * that falls back to PORT names them, since the port they held is otherwise lost until that server restarts.
 */
export function unreadableListening(): Array<{ file: string; pid: number }> {
  return listeningFiles()
    .filter((f) => f.listening === undefined && isAlive(f.pid))
    .map(({ file, pid }) => ({ file, pid }));
}
