// Query strings can carry credentials (a verification token, a signed link), so what the shop
// records of a URL (span attributes, access log lines) keeps every parameter's name and drops
// every value.

export const REDACTED = 'REDACTED';

/** `token=abc&page=2` → `token=REDACTED&page=REDACTED`; a name without a value stays as it is. */
export function redactQueryString(query: string): string {
  if (!query) return query;
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq === -1 ? pair : `${pair.slice(0, eq)}=${REDACTED}`;
    })
    .join('&');
}

/** A path or URL with its query values redacted (`/verify?token=REDACTED`). */
export function redactQuery(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : `${url.slice(0, at + 1)}${redactQueryString(url.slice(at + 1))}`;
}
