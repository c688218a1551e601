// Message ids: 16 random bytes in base64url, taken from a pool filled for 1024 ids at a time rather
// than asking the random source once per message.
import { randomBytes } from 'node:crypto';

const ID_BYTES = 16;
const POOL_IDS = 1024;
let pool = Buffer.alloc(0);
let next = 0;

export function newMessageId(): string {
  if (next >= pool.length) {
    pool = randomBytes(ID_BYTES * POOL_IDS);
    next = 0;
  }
  next += ID_BYTES;
  return pool.toString('base64url', next - ID_BYTES, next);
}
