import { createSnapshot } from '../../src/consent/consent-snapshot';
import { hiddenSince } from '../../src/http/export-consent-guard';

describe('an export cut short when consent changes under it', () => {
  const start = createSnapshot(1, new Set(), new Set(), new Map([['v1', []]]));

  it('is cut when its version newly hides a customer from its own reads alone (built under any, the lake now as-of)', () => {
    const now = createSnapshot(2, new Set(), new Set(), new Map([['v2', []], ['v1', ['SN-1']]]));
    expect(hiddenSince(start, now, 'v1')).toBe(true);
  });

  it('goes on when the newly hidden customer is hidden from another version alone', () => {
    const now = createSnapshot(2, new Set(), new Set(), new Map([['v2', ['SN-1']], ['v1', []]]));
    expect(hiddenSince(start, now, 'v1')).toBe(false);
  });

  it('is cut when a customer its version holds is newly hidden everywhere', () => {
    const now = createSnapshot(2, new Set(['SN-1']), new Set(['a@x']), new Map([['v1', ['SN-1']]]));
    expect(hiddenSince(start, now, 'v1')).toBe(true);
  });

  it('goes on when a version it no longer knows the list of hides nobody new', () => {
    const was = createSnapshot(1, new Set(['SN-1']), new Set(['a@x']), new Map());
    const now = createSnapshot(2, new Set(['SN-1']), new Set(['a@x']), new Map());
    expect(hiddenSince(was, now, 'v1')).toBe(false);
  });
});
