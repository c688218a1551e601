// Password hashing with argon2id. The default cost is OWASP's minimum (19 MiB, t=2, p=1);
// a cheaper hasher can only be passed in by code (tests), never chosen by configuration.
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * False for a wrong password or an unreadable hash; never throws for bad input. With no hash
   * (unknown account) it verifies against a dummy hash, so both cases take the same time.
   */
  verify(hash: string | null, password: string): Promise<boolean>;
}

export interface Argon2Cost {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const OWASP_MINIMUM: Argon2Cost = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function createPasswordHasher(cost: Argon2Cost = OWASP_MINIMUM): PasswordHasher {
  // The library's default algorithm is argon2id (its const enum cannot be imported here).
  const options = { ...cost };
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => hash(password, options),
    verify: async (stored, password) => {
      dummy ??= hash(randomBytes(16).toString('hex'), options);
      try {
        const ok = await verify(stored ?? (await dummy), password);
        return stored !== null && ok;
      } catch {
        return false;
      }
    },
  };
}
