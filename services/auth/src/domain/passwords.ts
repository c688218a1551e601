// Password hashing with argon2id. OWASP lists five configurations of equal strength, trading
// memory for passes; the default is the one with the least memory (7 MiB, t=5, p=1), so a login
// holds 7 MiB instead of 19 MiB while it hashes and two at once fit the service's memory budget
// (docs/auth.md). Hashes run at most `concurrency` at a time (PASSWORD_HASHES_AT_ONCE), the others
// wait their turn, so a flood of logins costs time, not memory. A cheaper hasher can only be
// passed in by code (tests), never chosen by configuration.
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * False for a wrong password or an unreadable hash; never throws for bad input. With no hash
   * (unknown account) it verifies against a dummy hash, so both cases take the same time.
   */
  verify(hash: string | null, password: string): Promise<boolean>;
  /** The stored hash was made with another algorithm or cost than this hasher's (rehash it). */
  isOutdated(hash: string): boolean;
}

export interface Argon2Cost {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP Password Storage Cheat Sheet: argon2id, m=7168 KiB, t=5, p=1. */
export const OWASP_MINIMUM: Argon2Cost = { memoryCost: 7_168, timeCost: 5, parallelism: 1 };

/** The PHC string prefix of a hash made at this cost, e.g. `$argon2id$v=19$m=7168,t=5,p=1$`. */
function phcPrefix(cost: Argon2Cost): string {
  return `$argon2id$v=19$m=${cost.memoryCost},t=${cost.timeCost},p=${cost.parallelism}$`;
}

/** Runs at most `max` tasks at a time; the others start in arrival order as slots free up. */
export function createTaskLimiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  const limit = pLimit(max);
  return (task) => limit(task);
}

export function createPasswordHasher(
  cost: Argon2Cost = OWASP_MINIMUM,
  { concurrency = 1 }: { concurrency?: number } = {},
): PasswordHasher {
  // The library's default algorithm is argon2id (its const enum cannot be imported here).
  const options = { ...cost };
  const prefix = phcPrefix(cost);
  const limited = createTaskLimiter(concurrency);
  const hashLimited = (password: string) => limited(() => hash(password, options));
  let dummy: Promise<string> | undefined;
  return {
    hash: hashLimited,
    verify: async (stored, password) => {
      dummy ??= hashLimited(randomBytes(16).toString('hex'));
      try {
        // The dummy is awaited outside the limiter: it takes a slot of its own.
        const target = stored ?? (await dummy);
        const ok = await limited(() => verify(target, password));
        return stored !== null && ok;
      } catch {
        return false;
      }
    },
    isOutdated: (stored) => !stored.startsWith(prefix),
  };
}
