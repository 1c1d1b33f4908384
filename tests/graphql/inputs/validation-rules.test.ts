import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');

/** The modules a fresh Node process has loaded once it has built the served schema (from the sources). */
function modulesAfterSchema(): string[] {
  const code = "require('./src/graphql/schema'); process.stdout.write(JSON.stringify(Object.keys(require.cache)))";
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', code], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TS_NODE_PROJECT: resolve(ROOT, 'tsconfig.json') },
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

describe('argument rules', () => {
  it("load only the class-validator rules the arguments use, not its index with every rule and libphonenumber-js's metadata", () => {
    const modules = modulesAfterSchema();
    // The rules the argument classes declare are loaded (the check below would pass on a process that loaded nothing).
    expect(modules.some((m) => m.endsWith('class-validator/cjs/decorator/string/Length.js'))).toBe(true);
    expect(modules.filter((m) => m.endsWith('class-validator/cjs/index.js') || m.includes('/libphonenumber-js/'))).toEqual([]);
  }, 60_000);
});
