// How many HTTP requests each service answered, by route, from its own /metrics (the request
// duration histogram's count), so a phase's requests can be divided by the checkouts it made.
import { round } from './proc.ts';

const COUNT = /^minishop_http_request_duration_seconds_count\{([^}]*)\} (\d+(?:\.\d+)?)/;

/** A service's /metrics as text; empty when it does not answer within 5 s. */
export async function metricsText(managementUrl: string): Promise<string> {
  try {
    const res = await fetch(`${managementUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
    return res.ok ? await res.text() : '';
  } catch {
    return '';
  }
}

/** Requests answered so far by each service, keyed `METHOD route`. */
export async function httpActivity(
  management: Record<string, string>,
): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  await Promise.all(
    Object.entries(management).map(async ([service, url]) => {
      const text = await metricsText(url);
      if (!text) return;
      const routes = new Map<string, number>();
      for (const line of text.split('\n')) {
        const match = COUNT.exec(line);
        if (!match) continue;
        const labels = Object.fromEntries(
          [...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
        );
        const key = `${labels.method} ${labels.route}`;
        routes.set(key, (routes.get(key) ?? 0) + Number(match[2]));
      }
      out.set(service, routes);
    }),
  );
  return out;
}

/** Requests per checkout between two readings, by `service METHOD route`; routes under 0.05 left out. */
export function requestsPerCheckout(
  before: Map<string, Map<string, number>>,
  after: Map<string, Map<string, number>>,
  checkouts: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  if (checkouts <= 0) return out;
  for (const [service, routes] of after) {
    for (const [route, count] of routes) {
      const per = (count - (before.get(service)?.get(route) ?? 0)) / checkouts;
      if (per >= 0.05) out[`${service} ${route}`] = round(per, 2);
    }
  }
  return out;
}
