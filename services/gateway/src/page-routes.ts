// The web app's page paths, as its build lists them in routes.json ("/", "/products/:id", ...):
// a `:name` segment stands for any one non-empty segment and a final `*` for the rest of the path.
// A page path never starts with an API prefix, so a typo in an API path still answers a problem.

export const API_PREFIXES = [
  '/auth',
  '/catalog',
  '/cart',
  '/orders',
  '/payments',
  '/shipping',
  '/notify',
  '/notifications',
  '/docs',
  '/assets',
];

export interface PageRoutes {
  matches(path: string): boolean;
}

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function toRegExp(pattern: string): RegExp {
  const segments = pattern
    .split('/')
    .slice(1)
    .map((segment, i, all) => {
      if (segment === '*' && i === all.length - 1) return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return escapeRegExp(segment);
    });
  return new RegExp(`^/${segments.join('/')}$`);
}

/** Throws when routes.json is not a list of page paths. */
export function compilePageRoutes(patterns: unknown): PageRoutes {
  if (!Array.isArray(patterns) || !patterns.every((p) => typeof p === 'string' && p.startsWith('/'))) {
    throw new Error('routes.json must be a JSON array of paths starting with /');
  }
  const clashing = patterns.filter((p) => isApiPath(p as string));
  if (clashing.length > 0) throw new Error(`routes.json lists API paths as pages: ${clashing.join(', ')}`);
  const compiled = (patterns as string[]).map(toRegExp);
  return {
    matches: (path) => !isApiPath(path) && compiled.some((re) => re.test(path)),
  };
}
