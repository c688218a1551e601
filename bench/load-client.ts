// The load generator's own HTTP client for the fixed-rate phase and the checkouts: keep-alive
// connections on node:http, a timeout per request, an open-loop scheduler, and outcome counting.
import http from 'node:http';
import type { Outcome } from './jobs.ts';

export const REQUEST_TIMEOUT_MS = 10_000;

interface Reply {
  status: number;
  body?: string;
}

export class Client {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(origin: string, maxSockets: number) {
    const url = new URL(origin);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    wantBody: boolean,
  ): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: this.host,
          port: this.port,
          method,
          path,
          headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (!wantBody) {
            res.on('end', () => resolve({ status }));
            res.on('error', reject);
            res.resume();
            return;
          }
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export function newOutcome(): Outcome {
  return { ok: 0, non2xx: 0, errors: 0, statuses: {} };
}

export function count(outcome: Outcome, label: string | number, ok: boolean): void {
  outcome.statuses[label] = (outcome.statuses[label] ?? 0) + 1;
  if (ok) outcome.ok++;
}

export const r2 = (v: number) => Math.round(v * 100) / 100;

/** Calls `fire(i, due)` for i = 0..total-1 at start + i*interval, catching up in bursts if late. */
export function schedule(total: number, rate: number, fire: (i: number, due: number) => void): number {
  const interval = 1000 / rate;
  const start = performance.now() + 5;
  let i = 0;
  const tick = () => {
    const now = performance.now();
    while (i < total && start + i * interval <= now) {
      fire(i, start + i * interval);
      i++;
    }
    if (i < total) setTimeout(tick, Math.max(0, start + i * interval - performance.now()));
  };
  setTimeout(tick, 5);
  return start;
}
