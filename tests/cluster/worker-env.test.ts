import { workerEnv } from '../../src/cluster/worker-env';

describe("a cluster worker's environment", () => {
  it("fixes glibc's malloc trim threshold at the configured KiB, in bytes", () => {
    expect(workerEnv(128)).toEqual({ MALLOC_TRIM_THRESHOLD_: '131072' });
  });

  it("adds nothing with 0, so glibc's own threshold (or the user's) applies", () => {
    expect(workerEnv(0)).toEqual({});
  });
});
