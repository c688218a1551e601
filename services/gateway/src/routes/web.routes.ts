// The web app, served from its build (WEB_ROOT): hashed assets under /assets/ cached for a year
// and sent precompressed when the client accepts it, and index.html, never cached, for the page
// paths the build lists in routes.json. Every other path keeps its API answer (a problem).
import { stat, readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '@minishop/kit/http';
import { problem, sendProblem } from '@minishop/kit/problem';
import { compilePageRoutes, type PageRoutes } from '../page-routes.ts';

/** Headers of every HTML answer: the page may load only its own scripts, styles and data. */
export const HTML_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  // Page URLs can carry a secret (the email verification token): never send them elsewhere.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const YEAR_SECONDS = 365 * 24 * 60 * 60;

function notServed(request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(reply, problem(404, `no route for ${request.method} ${request.url.split('?')[0]}`));
}

/**
 * The page patterns of the current build. The build may finish after the gateway starts (the
 * launcher runs it alongside) and may be replaced while it runs, so routes.json is read again
 * whenever it changed.
 */
function pageRoutesOf(root: string): () => Promise<PageRoutes | null> {
  const file = path.join(root, 'routes.json');
  let loaded: { mtimeMs: number; routes: PageRoutes } | null = null;
  return async () => {
    const info = await stat(file).catch(() => null);
    if (!info) return null;
    if (loaded?.mtimeMs !== info.mtimeMs) {
      const patterns = JSON.parse(await readFile(file, 'utf8')) as unknown;
      loaded = { mtimeMs: info.mtimeMs, routes: compilePageRoutes(patterns) };
    }
    return loaded.routes;
  };
}

export async function webRoutes(app: App, options: { root: string | undefined }): Promise<void> {
  const { root } = options;
  if (root === undefined) {
    app.route({
      method: ['GET', 'HEAD'],
      url: '/',
      schema: { hide: true },
      handler: (_request, reply) =>
        sendProblem(
          reply,
          problem(
            404,
            'this gateway serves no web app (WEB_ROOT is not set); the API is documented at /docs',
          ),
        ),
    });
    return;
  }

  // One scope for the web app's routes, so the hook below touches them and nothing else.
  await app.register(async (web) => {
    // The answer depends on Accept-Encoding (precompressed siblings); added to CORS's Vary.
    web.addHook('onRequest', (_request, reply, done) => {
      const vary = reply.getHeader('vary');
      reply.header('vary', vary ? `${String(vary)}, Accept-Encoding` : 'Accept-Encoding');
      done();
    });
    await registerBuild(web, root);
  });
}

async function registerBuild(web: App, root: string): Promise<void> {
  await web.register(fastifyStatic, {
    root: path.join(root, 'assets'),
    prefix: '/assets/',
    preCompressed: true,
    // Cache headers are written below: a year for hashed assets, none for index.html.
    cacheControl: false,
    index: false,
    dotfiles: 'deny',
    schemaHide: true,
    setHeaders(res, file) {
      res.setHeader('x-content-type-options', 'nosniff');
      if (path.basename(file) === 'index.html') {
        res.setHeader('cache-control', 'no-cache');
        for (const [name, value] of Object.entries(HTML_SECURITY_HEADERS)) res.setHeader(name, value);
      } else {
        res.setHeader('cache-control', `public, max-age=${YEAR_SECONDS}, immutable`);
      }
    },
  });

  const pageRoutes = pageRoutesOf(root);
  web.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    schema: { hide: true },
    async handler(request, reply) {
      const routes = await pageRoutes().catch((err: unknown) => {
        request.log.error({ err }, 'routes.json of the web app is not readable');
        return null;
      });
      if (routes === null) {
        reply.header('retry-after', '5');
        return sendProblem(reply, problem(503, 'the web app is not built yet; try again in a moment'));
      }
      if (!routes.matches(request.url.split('?')[0] ?? '')) return notServed(request, reply);
      return reply.sendFile('index.html', root);
    },
  });
}
