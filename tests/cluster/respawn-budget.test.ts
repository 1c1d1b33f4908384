import { RespawnBudget } from '../../src/cluster/respawn-budget';

describe('the replacement workers a primary may fork in a window', () => {
  afterEach(() => jest.useRealTimers());

  it('forgets a respawn once the window has passed, though the wall clock was stepped back an hour meanwhile (NTP)', () => {
    jest.useFakeTimers({ now: new Date('2026-12-02T10:00:00Z') });
    const budget = new RespawnBudget(2, 60_000);
    expect(budget.exceeded()).toBe(false);
    jest.setSystemTime(Date.now() - 3_600_000);
    // A stray kill every two minutes is no crash loop, whatever the clock says.
    for (let i = 0; i < 5; i += 1) {
      jest.advanceTimersByTime(120_000);
      expect(budget.exceeded()).toBe(false);
    }
    expect(budget.count).toBe(1);
  });

  it('stops at more than its max within the window', () => {
    jest.useFakeTimers();
    const budget = new RespawnBudget(2, 60_000);
    expect([budget.exceeded(), budget.exceeded(), budget.exceeded()]).toEqual([false, false, true]);
  });
});
