import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../src/domain/delivery-worker.ts';

describe('retry delays', () => {
  it('doubles with every attempt, stays within the cap and keeps at least half of the step', () => {
    expect(retryDelayMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(retryDelayMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(retryDelayMs(3, 1000, 60_000, () => 1)).toBe(4000);
    expect(retryDelayMs(3, 1000, 60_000, () => 0)).toBe(2000);
    expect(retryDelayMs(30, 1000, 60_000, () => 1)).toBe(60_000);
    expect(retryDelayMs(30, 1000, 60_000, () => 0)).toBe(30_000);
  });
});
