// SQL for payment attempts and processed provider events. Status changes only move forward:
// pending → succeeded | failed, succeeded → refunded; anything else is a no-op.
import { randomUUID } from 'node:crypto';
import { prepared, type Queryable } from '@minishop/kit/db';

export type PaymentStatus = 'pending' | 'succeeded' | 'failed' | 'refunded';

export interface PaymentRecord {
  id: string;
  order_id: string;
  user_id: string;
  attempt: number;
  amount_cents: number;
  currency: string;
  payment_method: string;
  status: PaymentStatus;
  provider_ref: string | null;
  idempotency_key: string;
  failure_code: string | null;
  failure_message: string | null;
  refund_ref: string | null;
  created_at: Date;
  updated_at: Date;
  /** The W3C traceparent of the charge request that made the attempt. */
  trace_context: string | null;
}

interface PaymentRow extends Omit<PaymentRecord, 'amount_cents'> {
  amount_cents: string;
}

/** Every column, listed: the prepared statements below must keep their result type when a column is added. */
const COLUMNS = `id, order_id, user_id, attempt, amount_cents, currency, payment_method, status, provider_ref,
  idempotency_key, failure_code, failure_message, refund_ref, created_at, updated_at, trace_context`;

const toRecord = (row: PaymentRow): PaymentRecord => ({ ...row, amount_cents: Number(row.amount_cents) });

export type NewAttempt = Pick<
  PaymentRecord,
  'order_id' | 'user_id' | 'attempt' | 'amount_cents' | 'currency' | 'payment_method' | 'trace_context'
>;

/**
 * The provider idempotency key of an attempt: derived from the order and attempt number, so that
 * even a lost row could never lead to a second charge for the same attempt.
 */
export function idempotencyKeyFor(orderId: string, attempt: number): string {
  return `minishop-charge-${orderId}-${attempt}`;
}

/** Creates the attempt's row unless it exists; returns the stored row either way. */
export async function insertOrGetAttempt(
  db: Queryable,
  attempt: NewAttempt,
): Promise<{ payment: PaymentRecord; created: boolean }> {
  const id = randomUUID();
  // No conflict target: the idempotency key is derived from order and attempt and has its own
  // unique index, and a concurrent insert of the same attempt may trip either one first.
  const inserted = await db.query<PaymentRow>(
    prepared(
      `INSERT INTO payments (id, order_id, user_id, attempt, amount_cents, currency, payment_method, idempotency_key,
                           trace_context)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT DO NOTHING
     RETURNING ${COLUMNS}`,
      [
        id,
        attempt.order_id,
        attempt.user_id,
        attempt.attempt,
        attempt.amount_cents,
        attempt.currency,
        attempt.payment_method,
        idempotencyKeyFor(attempt.order_id, attempt.attempt),
        attempt.trace_context,
      ],
    ),
  );
  if (inserted.rows[0]) return { payment: toRecord(inserted.rows[0]), created: true };
  const existing = await db.query<PaymentRow>('SELECT * FROM payments WHERE order_id = $1 AND attempt = $2', [
    attempt.order_id,
    attempt.attempt,
  ]);
  if (!existing.rows[0]) throw new Error('payment attempt vanished after a conflicting insert');
  return { payment: toRecord(existing.rows[0]), created: false };
}

export async function findPayment(db: Queryable, id: string): Promise<PaymentRecord | null> {
  const { rows } = await db.query<PaymentRow>('SELECT * FROM payments WHERE id = $1', [id]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function listByOrder(db: Queryable, orderId: string): Promise<PaymentRecord[]> {
  const { rows } = await db.query<PaymentRow>('SELECT * FROM payments WHERE order_id = $1 ORDER BY attempt', [
    orderId,
  ]);
  return rows.map(toRecord);
}

/**
 * Remembers the provider's payment intent id of a pending attempt (first writer wins); returns the
 * row after the change, or null when it already had one (or another payment has that id).
 */
export async function attachProviderRef(
  db: Queryable,
  id: string,
  providerRef: string,
): Promise<PaymentRecord | null> {
  const { rows } = await db.query<PaymentRow>(
    `UPDATE payments SET provider_ref = $2, updated_at = now()
     WHERE id = $1 AND provider_ref IS NULL
       AND NOT EXISTS (SELECT 1 FROM payments WHERE provider_ref = $2)
     RETURNING *`,
    [id, providerRef],
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

export interface Outcome {
  status: 'succeeded' | 'failed' | 'refunded';
  provider_ref?: string | null;
  failure_code?: string | null;
  failure_message?: string | null;
  refund_ref?: string | null;
}

/**
 * The SET list and condition of an UPDATE of `payments p` that only moves a payment forward
 * (pending to succeeded or failed, succeeded to refunded), given the placeholders of the outcome.
 */
function moveForward(at: { status: string; ref: string; code: string; message: string; refundRef: string }) {
  return {
    set: `status = ${at.status},
       provider_ref = COALESCE(p.provider_ref, ${at.ref}),
       failure_code = CASE WHEN ${at.status} = 'failed' THEN ${at.code} ELSE p.failure_code END,
       failure_message = CASE WHEN ${at.status} = 'failed' THEN ${at.message} ELSE p.failure_message END,
       refund_ref = COALESCE(p.refund_ref, ${at.refundRef}),
       updated_at = now()`,
    allowed: `((p.status = 'pending' AND ${at.status} IN ('succeeded', 'failed'))
            OR (p.status = 'succeeded' AND ${at.status} = 'refunded'))`,
  };
}

const ADVANCE = moveForward({ status: '$2', ref: '$3', code: '$4', message: '$5', refundRef: '$6' });

/**
 * Applies an outcome if it moves the payment forward; returns the row after the change, or null
 * when the payment was already at or past that state (late or out-of-order news is ignored).
 */
export async function advance(db: Queryable, id: string, outcome: Outcome): Promise<PaymentRecord | null> {
  const { rows } = await db.query<PaymentRow>(
    prepared(
      `UPDATE payments p SET ${ADVANCE.set}
     WHERE p.id = $1 AND ${ADVANCE.allowed}
     RETURNING ${COLUMNS}`,
      [
        id,
        outcome.status,
        outcome.provider_ref ?? null,
        outcome.failure_code ?? null,
        outcome.failure_message ?? null,
        outcome.refund_ref ?? null,
      ],
    ),
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

export interface ProviderEvent {
  eventId: string;
  type: string;
  paymentIntent: string;
  /** The payment id the provider was given as metadata (when it is a UUID). */
  paymentId: string | null;
  outcome: Outcome;
}

export interface ProviderEventResult {
  /** False when the event id had been applied before: nothing else was done. */
  first: boolean;
  /** The payment the event is about, as it was before the event (null: none matches). */
  payment: PaymentRecord | null;
  /** The payment after the change, or null when the change would have moved it backwards. */
  changed: PaymentRecord | null;
}

const EVENT_ADVANCE = moveForward({ status: '$5', ref: '$3', code: '$6', message: '$7', refundRef: '$8' });

/**
 * Applies a provider event in one statement: records its id (a repeat changes nothing), finds the
 * payment by the intent id, or by the payment id in the metadata when the event came before the
 * charge call's answer stored the intent id, and moves it forward if the event says so. Each
 * lookup is its own branch and the update names the row by id, so every one is a unique-index
 * probe: written as one OR (and as a join with the target) the planner read the whole table
 * twice per event whenever it judged a scan cheaper, as it does while the table is small or not
 * yet analyzed.
 */
export async function applyProviderEvent(db: Queryable, event: ProviderEvent): Promise<ProviderEventResult> {
  const { outcome } = event;
  const { rows } = await db.query<{ first: boolean; target: PaymentRow | null; changed: PaymentRow | null }>(
    prepared(
      `WITH recorded AS (
       INSERT INTO processed_events (event_id, type) VALUES ($1, $2)
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id
     ), target AS (
       SELECT * FROM (
         SELECT * FROM payments WHERE provider_ref = $3
         UNION ALL
         SELECT * FROM payments WHERE id = $4::uuid AND provider_ref IS NULL
       ) candidates
        WHERE EXISTS (SELECT 1 FROM recorded)
        ORDER BY provider_ref IS NULL
        LIMIT 1
     ), changed AS (
       UPDATE payments p SET ${EVENT_ADVANCE.set}
       WHERE p.id = (SELECT id FROM target) AND ${EVENT_ADVANCE.allowed}
       RETURNING p.*
     )
     SELECT EXISTS (SELECT 1 FROM recorded) AS first,
            (SELECT to_jsonb(t) FROM target t) AS target,
            (SELECT to_jsonb(c) FROM changed c) AS changed`,
      [
        event.eventId,
        event.type,
        event.paymentIntent,
        event.paymentId,
        outcome.status,
        outcome.failure_code ?? null,
        outcome.failure_message ?? null,
        outcome.refund_ref ?? null,
      ],
    ),
  );
  const row = rows[0]!;
  return {
    first: row.first,
    payment: row.target ? fromJson(row.target) : null,
    changed: row.changed ? fromJson(row.changed) : null,
  };
}

/** A row read through to_jsonb: timestamps come back as text. */
function fromJson(row: PaymentRow): PaymentRecord {
  return {
    ...toRecord(row),
    created_at: new Date(row.created_at),
    updated_at: new Date(row.updated_at),
  };
}
