import type { TestApp } from './http-app';

/**
 * Waits until no kept version holds a hidden customer and no rebuild runs, failing once `boundMs` (the erasure bound
 * the server was given) has passed since `since`, when the revocation was written to landing.
 */
export async function erasedWithin(test: TestApp, since: number, boundMs: number): Promise<void> {
  const { consent, rebuilds } = test.lake.services;
  while (consent.pendingErasure().versions.length > 0 || rebuilds.current()) {
    expect(Date.now() - since).toBeLessThan(boundMs);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(Date.now() - since).toBeLessThan(boundMs);
}
