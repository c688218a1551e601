// The load generator's client for the checkouts (requests that need their answers read), on the
// fixed-rate phase's raw keep-alive connections with a timeout per request, plus the open-loop
// scheduler and outcome counting both use.
import type { Outcome } from './jobs.ts';
import { buildRequest, RawPool } from './raw-client.ts';

export const REQUEST_TIMEOUT_MS = 10_000;

interface Reply {
  status: number;
  body?: string;
}

export class Client {
  private readonly pool: RawPool;
  private readonly host: string;

  constructor(origin: string, maxSockets: number) {
    const url = new URL(origin);
    this.host = url.host;
    this.pool = new RawPool(url.hostname, Number(url.port), maxSockets, REQUEST_TIMEOUT_MS);
  }

  send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    wantBody: boolean,
  ): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.pool.submit({
        bytes: buildRequest(method, this.host, path, headers, body),
        wantBody,
        onDone: (status, text) => resolve({ status, body: text }),
        onError: reject,
      });
    });
  }

  close(): void {
    this.pool.close();
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
