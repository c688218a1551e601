// Paths of operations that only services call (service tokens, stock reservations, charges and
// refunds, notifications, a user's cart as Orders reads it, shipment events). The gateway answers
// them with the same 404 as a path that does not exist, before any routing or token check, so
// they are not part of the public surface at all. The services mark the same operations
// internal; an end-to-end test checks that both lists agree.
import type { App } from '@minishop/kit/http';
import { problem, sendProblem } from '@minishop/kit/problem';

export const INTERNAL_PATHS: readonly string[] = [
  '/auth/token',
  '/catalog/reservations',
  '/catalog/reservations/*',
  '/cart/internal',
  '/cart/internal/*',
  '/orders/:id/shipment-events',
  '/payments/charges',
  '/payments/refunds',
  '/notify',
  '/notify/*',
];

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Router entries for the internal paths, more specific than the service prefixes they sit
 * under, so no hook runs on other requests to find them.
 */
export function refuseInternalPaths(app: App): void {
  for (const url of INTERNAL_PATHS) {
    app.route({
      method: METHODS,
      url,
      schema: { hide: true },
      handler: (request, reply) =>
        sendProblem(reply, problem(404, `no route for ${request.method} ${request.url.split('?')[0]}`)),
    });
  }
}
