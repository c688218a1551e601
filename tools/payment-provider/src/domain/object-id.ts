// Stripe-style object ids: a type prefix and random base62 characters (`pi_3Nc…`).
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function newId(prefix: string, length = 24): string {
  let id = '';
  while (id.length < length) {
    // Bytes of 248 and above are skipped so that every character is equally likely (248 = 4 × 62).
    for (const byte of randomBytes(length)) if (byte < 248 && id.length < length) id += ALPHABET[byte % 62];
  }
  return `${prefix}_${id}`;
}
