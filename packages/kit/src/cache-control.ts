// What an answer's Cache-Control lets a shared cache (one that serves many users) do with it: only
// answers the owner of the data marks `public, max-age=N` are kept, for at most N seconds, so the
// owner decides what may be served a little stale (RFC 9111). The gateway's cache of public reads
// and the cart's copies of Catalog's products both read it here.

const MAX_AGE = /(?:^|,)\s*max-age=(\d+)/;
/** However long an answer says it stays fresh, a shared cache keeps it at most this long. */
const CEILING_SECONDS = 60;

/**
 * Seconds the answer may be kept by a shared cache, or 0 when it may not be. Takes the header as
 * an HTTP client gives it; a repeated (contradictory or odd) Cache-Control is not trusted.
 */
export function sharedMaxAge(cacheControl: string | string[] | undefined): number {
  if (typeof cacheControl !== 'string' || !cacheControl) return 0;
  const value = cacheControl.toLowerCase();
  if (!/(?:^|,)\s*public\s*(?:,|$)/.test(value) || /no-store|private|no-cache/.test(value)) return 0;
  const match = MAX_AGE.exec(value);
  return match ? Math.min(Number(match[1]), CEILING_SECONDS) : 0;
}
