// Tracking numbers: "MS" and 12 random base32 characters (60 bits), easy to read aloud and
// unambiguous (no 0/1/8/9). Uniqueness is guaranteed by the database, not by chance alone.
import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export const TRACKING_NUMBER_PATTERN = /^MS[A-Z2-7]{12}$/;

export function newTrackingNumber(): string {
  const bytes = randomBytes(12);
  let code = 'MS';
  for (const byte of bytes) code += ALPHABET[byte & 31];
  return code;
}
