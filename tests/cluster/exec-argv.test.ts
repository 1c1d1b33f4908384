import { workerExecArgv } from '../../src/cluster/exec-argv';

describe("a cluster worker's Node options", () => {
  const own = process.execArgv;
  afterEach(() => {
    process.execArgv = own;
  });

  it('cap the semi-space at the configured size, after the options this process runs with', () => {
    process.execArgv = ['--enable-source-maps'];
    expect(workerExecArgv('/x/worker-main.js', 8)).toEqual(['--enable-source-maps', '--max-semi-space-size=8']);
  });

  it("leave Node's own semi-space with 0, and keep a size given on the command line (the user's choice wins)", () => {
    process.execArgv = [];
    expect(workerExecArgv('/x/worker-main.js', 0)).toEqual([]);
    process.execArgv = ['--max-semi-space-size=32'];
    expect(workerExecArgv('/x/worker-main.js', 8)).toEqual(['--max-semi-space-size=32']);
    process.execArgv = ['--max_semi_space_size=2'];
    expect(workerExecArgv('/x/worker-main.js', 8)).toEqual(['--max_semi_space_size=2']);
  });

  it('expose V8\'s gc() when the worker runs idle collections, once', () => {
    process.execArgv = [];
    expect(workerExecArgv('/x/worker-main.js', 8, true)).toEqual(['--max-semi-space-size=8', '--expose-gc']);
    process.execArgv = ['--expose-gc'];
    expect(workerExecArgv('/x/worker-main.js', 8, true)).toEqual(['--expose-gc', '--max-semi-space-size=8']);
  });

  it('run the TypeScript sources through ts-node, with the cap', () => {
    process.execArgv = [];
    expect(workerExecArgv('/x/worker-main.ts', 4)).toEqual(['-r', 'ts-node/register/transpile-only', '--max-semi-space-size=4']);
  });
});
