import { describe, expect, it } from 'vitest';
import { Rng, roundSeed } from '../chaos/rng.ts';
import { kindOf } from '../chaos/round.ts';

describe('a chaos run’s seed', () => {
  it('gives the same choices on every run', () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 20 }, () => rng.int(0, 1000));
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('gives each round a seed of its own that does not depend on the rounds before it', () => {
    const seeds = Array.from({ length: 50 }, (_, i) => roundSeed(7, i + 1));
    expect(new Set(seeds).size).toBe(50);
    expect(roundSeed(7, 12)).toBe(seeds[11]);
  });

  it('gives forks for separate parts that do not follow each other', () => {
    const a = new Rng(9).fork('buyer-0');
    const b = new Rng(9).fork('buyer-1');
    expect(a.next()).not.toBe(b.next());
    expect(new Rng(9).fork('buyer-0').next()).toBe(new Rng(9).fork('buyer-0').next());
  });

  it('mixes the round kinds: refunds every fifth round, crash points every third', () => {
    const kinds = Array.from({ length: 15 }, (_, i) => kindOf(i + 1));
    expect(kinds.filter((k) => k === 'refunds')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'crash-points')).toHaveLength(4);
    expect(kinds[0]).toBe('checkout');
  });
});
