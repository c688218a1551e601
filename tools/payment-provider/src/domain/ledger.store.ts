// The simulator's memory: payment intents, their charges and refunds, looked up by id. Every
// record added or changed is staged in the state file, so a restart finds it again.
import type { StateFile, StateRecord } from '../state/state-file.ts';
import { newId } from './object-id.ts';

export type PaymentIntentStatus = 'requires_payment_method' | 'requires_confirmation' | 'succeeded';

export interface LastPaymentError {
  type: 'card_error';
  code: string;
  decline_code?: string;
  message: string;
  charge: string;
  doc_url: string;
  payment_method: unknown;
}

export interface PaymentIntentRecord {
  id: string;
  amount: number;
  amount_received: number;
  currency: string;
  status: PaymentIntentStatus;
  payment_method: string | null;
  description: string | null;
  metadata: Record<string, string>;
  latest_charge: string | null;
  last_payment_error: LastPaymentError | null;
  created: number;
}

export interface ChargeRecord {
  id: string;
  payment_intent: string;
  payment_method: string;
  amount: number;
  amount_refunded: number;
  currency: string;
  status: 'succeeded' | 'failed';
  failure_code: string | null;
  failure_message: string | null;
  decline_code: string | null;
  description: string | null;
  metadata: Record<string, string>;
  created: number;
}

export interface RefundRecord {
  id: string;
  amount: number;
  charge: string;
  payment_intent: string;
  currency: string;
  reason: string | null;
  metadata: Record<string, string>;
  created: number;
}

export class Ledger {
  private readonly paymentIntents = new Map<string, PaymentIntentRecord>();
  private readonly charges = new Map<string, ChargeRecord>();
  private readonly refunds = new Map<string, RefundRecord>();
  private readonly state: StateFile | undefined;

  constructor(state?: StateFile) {
    this.state = state;
  }

  addPaymentIntent(fields: Omit<PaymentIntentRecord, 'id'>): PaymentIntentRecord {
    const record = { id: newId('pi'), ...fields };
    this.paymentIntents.set(record.id, record);
    this.savePaymentIntent(record);
    return record;
  }

  addCharge(fields: Omit<ChargeRecord, 'id'>): ChargeRecord {
    const record = { id: newId('ch'), ...fields };
    this.charges.set(record.id, record);
    this.saveCharge(record);
    return record;
  }

  addRefund(fields: Omit<RefundRecord, 'id'>): RefundRecord {
    const record = { id: newId('re'), ...fields };
    this.refunds.set(record.id, record);
    this.state?.stage({ t: 're', v: record });
    return record;
  }

  /** Records a change made to a payment intent in place. */
  savePaymentIntent(record: PaymentIntentRecord): void {
    this.state?.stage({ t: 'pi', v: record });
  }

  /** Records a change made to a charge in place. */
  saveCharge(record: ChargeRecord): void {
    this.state?.stage({ t: 'ch', v: record });
  }

  /** Takes back the records of a journal (the latest copy of each wins). */
  restore(record: StateRecord): void {
    if (record.t === 'pi') this.paymentIntents.set(record.v.id, record.v);
    if (record.t === 'ch') this.charges.set(record.v.id, record.v);
    if (record.t === 're') this.refunds.set(record.v.id, record.v);
  }

  /** One record per object, for a compact journal. */
  snapshot(): StateRecord[] {
    return [
      ...[...this.paymentIntents.values()].map((v) => ({ t: 'pi' as const, v })),
      ...[...this.charges.values()].map((v) => ({ t: 'ch' as const, v })),
      ...[...this.refunds.values()].map((v) => ({ t: 're' as const, v })),
    ];
  }

  paymentIntent(id: string): PaymentIntentRecord | undefined {
    return this.paymentIntents.get(id);
  }

  charge(id: string): ChargeRecord | undefined {
    return this.charges.get(id);
  }

  refund(id: string): RefundRecord | undefined {
    return this.refunds.get(id);
  }

  refundsOfCharge(chargeId: string): RefundRecord[] {
    return [...this.refunds.values()].filter((r) => r.charge === chargeId);
  }

  allPaymentIntents(): PaymentIntentRecord[] {
    return [...this.paymentIntents.values()];
  }
}
