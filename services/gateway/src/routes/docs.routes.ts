// /docs: Swagger UI over the merged OpenAPI documents of every service, and /docs/json for
// machines. Each service's /openapi.json is fetched with a timeout and the merge is cached for
// a short while; a service that does not answer is left out until it does.
import swaggerUi from '@fastify/swagger-ui';
import type { App } from '@minishop/kit/http';
import { mergeOpenApi, type OpenApiDocument, type ServiceDocument } from '../openapi-merge.ts';
import type { Upstream } from '../upstreams.ts';

export interface DocsOptions {
  upstreams: Upstream[];
  fetchTimeoutMs?: number;
  cacheMs?: number;
}

const INFO = {
  title: 'Minishop API',
  version: '0.1.0',
  description:
    'Every public Minishop endpoint, served through the gateway. Protected routes take a bearer token.',
};

const SWAGGER_UI_STYLE = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

export async function docsRoutes(app: App, options: DocsOptions): Promise<void> {
  const fetchTimeoutMs = options.fetchTimeoutMs ?? 2_000;
  const cacheMs = options.cacheMs ?? 30_000;
  let merged: OpenApiDocument = mergeOpenApi(INFO, [], []);
  let fetchedAt = 0;
  let pending: Promise<void> | null = null;

  async function fetchDocument(upstream: Upstream): Promise<ServiceDocument | null> {
    try {
      const res = await fetch(`${upstream.origin}/openapi.json`, {
        signal: AbortSignal.timeout(fetchTimeoutMs),
      });
      if (!res.ok) return null;
      return { service: upstream.name, document: (await res.json()) as OpenApiDocument };
    } catch {
      return null;
    }
  }

  async function refreshIfStale(): Promise<void> {
    if (Date.now() - fetchedAt < cacheMs) return;
    pending ??= (async () => {
      try {
        const results = await Promise.all(options.upstreams.map(fetchDocument));
        const found = results.filter((r): r is ServiceDocument => r !== null);
        const missing = options.upstreams.filter((_, i) => results[i] === null).map((u) => u.name);
        merged = mergeOpenApi(INFO, found, missing);
        // Retry soon while some services are missing (they may still be starting).
        fetchedAt = missing.length === 0 ? Date.now() : Date.now() - cacheMs + 5_000;
      } finally {
        pending = null;
      }
    })();
    return pending;
  }

  await app.register(swaggerUi, {
    routePrefix: '/docs',
    transformSpecificationClone: false,
    transformSpecification: () => merged,
    // No call to the public validator: the page talks to this origin only.
    uiConfig: { persistAuthorization: true, validatorUrl: null },
    // Swagger UI's own policy (its scripts are files; its inline styles are allowed by hash),
    // never framed, without a validator host, and usable over plain http on a laptop.
    staticCSP: true,
    transformStaticCSP: (header) =>
      header
        .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
        .replace(' validator.swagger.io', '')
        // The one <style> element swagger-ui-bundle 5 injects (seen in Chromium), allowed by hash.
        .replace("style-src 'self' https:", `style-src 'self' https: ${SWAGGER_UI_STYLE}`)
        .replace(/\s*upgrade-insecure-requests;?/, ''),
    uiHooks: {
      onRequest: async (request, reply) => {
        reply.header('x-content-type-options', 'nosniff');
        const path = request.url.split('?')[0] ?? '';
        if (path.endsWith('/json') || path.endsWith('/yaml')) await refreshIfStale();
      },
    },
  });
}
