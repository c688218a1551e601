// The simulator's memory on disk, so that a restart loses nothing it had answered: a journal of
// JSON lines. A request's changes (the ledger's records, the event it emits, its idempotency key's
// answer) are staged while it runs and appended in one write before it is answered. At start the
// journal is read back and rewritten compactly. Without a file everything stays in memory.
//
// The append is not fsynced: the state survives the process being killed at any moment (the
// kernel has the bytes), not the machine losing power, which is what a simulator needs.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChargeRecord, PaymentIntentRecord, RefundRecord } from '../domain/ledger.store.ts';
import type { StoredResponse } from '../idempotency/idempotency.store.ts';
import type { StripeEvent } from '../webhooks/webhook.dispatcher.ts';

export type StateRecord =
  | { t: 'pi'; v: PaymentIntentRecord }
  | { t: 'ch'; v: ChargeRecord }
  | { t: 're'; v: RefundRecord }
  | { t: 'key'; k: string; fingerprint: string; expiresAt: number; response: StoredResponse }
  | { t: 'evt'; v: StripeEvent; copies: number; delivered?: number }
  | { t: 'dlv'; id: string };

export class StateFile {
  private staged: string[] = [];
  private readonly file: string | undefined;

  /** `file` undefined: nothing is written or read. */
  constructor(file: string | undefined) {
    this.file = file;
    if (file) mkdirSync(path.dirname(file), { recursive: true });
  }

  /** Every record of the journal, oldest first; a last line cut short by a crash is left out. */
  load(): StateRecord[] {
    if (!this.file || !existsSync(this.file)) return [];
    const records: StateRecord[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        records.push(JSON.parse(line) as StateRecord);
      } catch {
        // Only the last line can be torn (one write per request); anything after it was never acknowledged.
      }
    }
    return records;
  }

  /** Replaces the journal by these records at once (write aside, then rename). */
  rewrite(records: StateRecord[]): void {
    if (!this.file) return;
    const aside = `${this.file}.${process.pid}.tmp`;
    writeFileSync(aside, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    renameSync(aside, this.file);
    this.staged = [];
  }

  stage(record: StateRecord): void {
    if (this.file) this.staged.push(`${JSON.stringify(record)}\n`);
  }

  /** Appends everything staged in one write. Call before answering the request that staged it. */
  commit(): void {
    if (!this.file || this.staged.length === 0) return;
    const text = this.staged.join('');
    this.staged = [];
    appendFileSync(this.file, text);
  }
}
