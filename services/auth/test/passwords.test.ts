import { describe, expect, it } from 'vitest';
import { createPasswordHasher, createTaskLimiter } from '../src/domain/passwords.ts';

const CHEAP = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('task limiter', () => {
  it('runs at most the given number of tasks at a time, the rest in arrival order', async () => {
    const limited = createTaskLimiter(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      limited(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    gates[1]!.resolve();
    await runs[1];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    gates[2]!.resolve();
    gates[3]!.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('frees the slot of a task that fails', async () => {
    const limited = createTaskLimiter(1);
    await expect(limited(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limited(async () => 'next')).toBe('next');
  });
});

describe('password hasher', () => {
  it('hashes and verifies many passwords at once, one hash at a time', async () => {
    const hasher = createPasswordHasher(CHEAP, { concurrency: 1 });
    const passwords = Array.from({ length: 6 }, (_, i) => `password number ${i}`);
    const hashes = await Promise.all(passwords.map((p) => hasher.hash(p)));
    const checks = await Promise.all(
      passwords.flatMap((p, i) => [hasher.verify(hashes[i]!, p), hasher.verify(hashes[i]!, `${p}!`)]),
    );
    expect(checks).toEqual(passwords.flatMap(() => [true, false]));
  });

  it('answers unknown accounts (no stored hash) without blocking, even when they all come at once', async () => {
    const hasher = createPasswordHasher(CHEAP, { concurrency: 1 });
    const results = await Promise.all(Array.from({ length: 5 }, () => hasher.verify(null, 'whatever')));
    expect(results).toEqual([false, false, false, false, false]);
  });
});
