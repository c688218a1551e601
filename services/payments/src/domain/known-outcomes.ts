// What this process last wrote for its most recent payments, by the provider's payment intent id.
// A checkout's charge answer and the provider's webhook bring the same news a moment apart: the
// webhook finds the outcome here and is answered without a statement. Only outcomes that were
// written are kept, and a payment only moves forward, so a webhook that matches one could not
// have changed the row (a later refund makes a matching `succeeded` stale all the more). The
// webhook often arrives while the answer's own write is on its way: it waits for that write.
import type { PaymentRecord, PaymentStatus } from '../data/payments.repository.ts';

/** Enough for the webhooks of the last several seconds at full load; about 150 bytes each. */
const KEPT = 1_000;

/** A payment's status as this process wrote it, and the trace of the checkout that made it. */
export interface KnownOutcome {
  status: PaymentStatus;
  trace: string | null;
}

export class KnownOutcomes {
  private readonly byIntent = new Map<string, KnownOutcome>();
  /** Writes on their way, each settling (never failing) once it has landed or failed. */
  private readonly writing = new Map<string, Promise<void>>();
  private readonly kept: number;

  constructor(kept = KEPT) {
    this.kept = kept;
  }

  /**
   * Runs the write of what the provider answered about a payment intent and remembers the status
   * it wrote (null: it changed nothing, so nothing is learnt).
   */
  write(intent: string | null, write: () => Promise<PaymentRecord | null>): Promise<PaymentRecord | null> {
    if (!intent) return write();
    const written = write().then((row) => {
      if (row) this.remember(intent, { status: row.status, trace: row.trace_context });
      return row;
    });
    // The caller hears a failed write; the webhooks waiting for it only need it to be over.
    const over = () => {
      if (this.writing.get(intent) === settled) this.writing.delete(intent);
    };
    const settled: Promise<void> = written.then(over, over);
    this.writing.set(intent, settled);
    return written;
  }

  /** What this process last wrote for the payment of this intent, if it is one of the recent. */
  async lookup(intent: string): Promise<KnownOutcome | undefined> {
    await this.writing.get(intent);
    return this.byIntent.get(intent);
  }

  private remember(intent: string, outcome: KnownOutcome): void {
    this.byIntent.delete(intent);
    this.byIntent.set(intent, outcome);
    if (this.byIntent.size > this.kept) this.byIntent.delete(this.byIntent.keys().next().value!);
  }
}
