// Which proxied requests may pass the gateway without an access token. Everything else needs
// a valid one; services still check roles and scopes themselves.

const PUBLIC_ENDPOINTS: ReadonlySet<string> = new Set([
  'POST /auth/register',
  'POST /auth/login',
  'POST /auth/refresh',
  'POST /auth/verify-email',
  // Older verification links: Auth answers them with a redirect to the web app's page.
  'GET /auth/verify-email',
  'GET /auth/.well-known/jwks.json',
  // A read of public product data that is a POST only so that up to 100 ids fit in a body.
  'POST /catalog/products/lookup',
  // Signed by the payment provider with its webhook secret instead of a token.
  'POST /payments/webhooks/provider',
]);

/** `path` is the request path without its query string, exactly as the client sent it. */
export function isPublic(method: string, path: string): boolean {
  // CORS preflights are answered before routing; a bare OPTIONS carries no data either way.
  if (method === 'OPTIONS') return true;
  const verb = method === 'HEAD' ? 'GET' : method;
  if (verb === 'GET' && path.startsWith('/catalog/')) return true;
  return PUBLIC_ENDPOINTS.has(`${verb} ${path}`);
}

const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/**
 * A path the gateway refuses to forward: not origin-form, or with `.`/`..` segments that the
 * upstream URL would collapse into a different path than the one the access check saw.
 */
export function isUnsafePath(path: string): boolean {
  if (path.charCodeAt(0) !== 47 /* '/' */) return true;
  return (path.includes('.') || path.includes('%')) && DOT_SEGMENT.test(path);
}
