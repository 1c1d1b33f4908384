import { hostname } from 'node:os';
import { type LockHolder, holderState } from '../../../../etl/engine/duckdb/lock-holder';
import { processStart } from '../../../../etl/dead-process-folders';

/** A pid no process has: above the kernel's pid_max ceiling (2^22). */
const DEAD_PID = 2 ** 22 + 7;

describe("a lock's or build record's holder", () => {
  const holder = (fields: Partial<LockHolder>): LockHolder => ({ pid: process.pid, host: hostname(), pidStart: processStart(process.pid), owner: 'test', since: '', token: 't', ...fields });

  it('runs only when this host shows its pid with the start time it recorded', () => {
    if (processStart(process.pid) === null) return; // no /proc: nothing can be shown running
    expect(holderState(holder({}))).toBe('running');
  });

  it('is gone when its pid is dead or now another process (by its start time), a damaged negative or fractional pid included', () => {
    expect(holderState(holder({ pid: DEAD_PID }))).toBe('gone');
    if (processStart(process.pid) !== null) expect(holderState(holder({ pidStart: 'another start' }))).toBe('gone');
    expect(holderState(holder({ pid: -DEAD_PID }))).toBe('gone');
    expect(holderState(holder({ pid: 1.5 }))).toBe('gone');
  });

  it('is unknown on another host, without a recorded start time, or under a pid that reaches every process (0, -1)', () => {
    expect(holderState(holder({ host: `not-${hostname()}`, pid: DEAD_PID }))).toBe('unknown');
    expect(holderState(holder({ pidStart: null }))).toBe('unknown');
    expect(holderState(holder({ pid: 0 }))).toBe('unknown');
    expect(holderState(holder({ pid: -1 }))).toBe('unknown');
  });
});
