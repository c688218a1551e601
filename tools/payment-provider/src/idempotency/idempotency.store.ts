// Idempotency keys as Stripe documents them: the first request with a key that gets as far as
// running saves its status and body, later requests with the key get that response back, a key
// reused with other parameters is refused, and a key whose request is still running is busy.
// Keys are forgotten after their time to live. Answers are staged in the state file with the
// changes they report, so a replay after a restart returns the same answer; a key whose request
// was still running when the process died was never answered and is free again.
import type { StateFile, StateRecord } from '../state/state-file.ts';

export interface StoredResponse {
  statusCode: number;
  body: unknown;
  requestId: string;
}

interface Entry {
  fingerprint: string;
  expiresAt: number;
  response: StoredResponse | undefined;
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'in_progress' };

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly state: StateFile | undefined;

  constructor(ttlMs: number, now: () => number = Date.now, state?: StateFile) {
    this.ttlMs = ttlMs;
    this.now = now;
    this.state = state;
  }

  /** Takes back an answered key from a journal, unless it has expired since. */
  restore(record: StateRecord): void {
    if (record.t !== 'key' || record.expiresAt <= this.now()) return;
    const { fingerprint, expiresAt, response } = record;
    this.entries.set(record.k, { fingerprint, expiresAt, response });
  }

  /** The answered keys, oldest first. */
  snapshot(): StateRecord[] {
    return [...this.entries]
      .filter(([, e]) => e.response !== undefined)
      .map(([k, e]) => ({
        t: 'key',
        k,
        fingerprint: e.fingerprint,
        expiresAt: e.expiresAt,
        response: e.response!,
      }));
  }

  /** Claims a key for a request; synchronous, so two requests can never both claim it. */
  claim(key: string, fingerprint: string): Claim {
    this.prune();
    const entry = this.entries.get(key);
    if (!entry) {
      this.entries.set(key, { fingerprint, expiresAt: this.now() + this.ttlMs, response: undefined });
      return { kind: 'claimed' };
    }
    if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
    return entry.response ? { kind: 'replay', response: entry.response } : { kind: 'in_progress' };
  }

  /** Saves the response of the request that claimed the key. */
  complete(key: string, response: StoredResponse): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.response = response;
    this.state?.stage({
      t: 'key',
      k: key,
      fingerprint: entry.fingerprint,
      expiresAt: entry.expiresAt,
      response,
    });
  }

  /** Frees a claimed key whose request never started executing (failed validation, injected fault). */
  release(key: string): void {
    const entry = this.entries.get(key);
    if (entry && !entry.response) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(): void {
    // Entries are kept in claim order, so the expired ones are always at the front.
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(key);
    }
  }
}
