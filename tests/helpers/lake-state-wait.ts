import { type Dirent, type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';

/**
 * Resolves true once `reached()` holds in the folder `root` (a lake a child process is writing), false if `stop`
 * settles first (the child exited). `reached` is checked at once and on each change inotify reports in any folder under
 * `root`, each new folder watched as it appears and checked again then (what was written before its watch counts), so
 * a kill follows the moment within the latency of one wake-up, without a loop polling the folders on a whole core.
 */
export async function waitForLakeState(root: string, reached: () => boolean, stop: Promise<unknown>): Promise<boolean> {
  const watchers = new Map<string, FSWatcher>();
  let settle: (hit: boolean) => void = () => undefined;
  const done = new Promise<boolean>((resolve) => (settle = resolve));
  const check = (): void => {
    if (reached()) settle(true);
  };
  const watchTree = (dir: string): void => {
    if (watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => {
        if (name) {
          const path = join(dir, name.toString());
          if (isDir(path)) watchTree(path);
        }
        check();
      });
    } catch {
      return; // removed before its watch: its parent's watch saw that
    }
    // A watched folder removed (an expired version) ends its watch.
    watcher.on('error', () => undefined);
    watchers.set(dir, watcher);
    for (const entry of entries(dir)) if (entry.isDirectory()) watchTree(join(dir, entry.name));
    check();
  };
  void stop.then(
    () => settle(false),
    () => settle(false),
  );
  watchTree(root);
  try {
    return await done;
  } finally {
    for (const watcher of watchers.values()) watcher.close();
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
