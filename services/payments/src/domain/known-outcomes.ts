// What this process last wrote for its most recent payments, by the provider's payment intent id.
// A checkout's charge answer and the provider's webhook bring the same news a moment apart: the
// webhook finds the outcome here and is answered without a statement. Only outcomes that were
// written are kept, and a payment only moves forward, so a webhook that matches one could not
// have changed the row (a later refund makes a matching `succeeded` stale all the more).
import type { PaymentStatus } from '../data/payments.repository.ts';

/** Enough for the webhooks of the last several seconds at full load; about 100 bytes each. */
const KEPT = 1_000;

export class KnownOutcomes {
  private readonly byIntent = new Map<string, PaymentStatus>();
  private readonly kept: number;

  constructor(kept = KEPT) {
    this.kept = kept;
  }

  /** The payment with this intent id was written with this status. */
  remember(intent: string | null, status: PaymentStatus): void {
    if (!intent) return;
    this.byIntent.delete(intent);
    this.byIntent.set(intent, status);
    if (this.byIntent.size > this.kept) this.byIntent.delete(this.byIntent.keys().next().value!);
  }

  /** True when this process wrote the payment of this intent with this status. */
  has(intent: string, status: PaymentStatus): boolean {
    return this.byIntent.get(intent) === status;
  }
}
