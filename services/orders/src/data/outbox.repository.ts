// The outbox: events written in the same transaction as the order change they announce (in the
// checkout, in the same statement), with the trace context of the request that made the change.
// The kit's relay delivers them.
import { captureTraceContext } from '@minishop/kit/background';
import { prepared, type Queryable } from '@minishop/kit/db';
import type { OutboxRow } from '@minishop/kit/outbox';

export const OUTBOX_TABLE = 'outbox';
/** Events of one order reach Notifications in the order they were written. */
export const OUTBOX_STREAM = 'order_id';

export interface OutboxEvent extends OutboxRow {
  order_id: string;
  type: string;
  recipient: string;
  payload: Record<string, unknown>;
}

/** An event as it is written: its id makes it unique per order (and attempt). */
export interface NewEvent {
  event_id: string;
  order_id: string;
  type: string;
  recipient: string;
  payload: Record<string, unknown>;
}

const COLUMNS = '(event_id, order_id, type, recipient, payload, trace_context)';

function values(event: NewEvent): unknown[] {
  return [event.event_id, event.order_id, event.type, event.recipient, event.payload, captureTraceContext()];
}

export async function enqueue(db: Queryable, event: NewEvent): Promise<void> {
  await db.query(
    prepared(
      `INSERT INTO outbox ${COLUMNS} VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING`,
      values(event),
    ),
  );
}

/**
 * The INSERT of an event as a part of the statement that makes the change it announces, so both
 * are written or neither without a transaction of several statements: the event is written only
 * when `source`, a CTE of that statement, returns a row. Its parameters start at `$first`.
 */
export function enqueueWith(
  source: string,
  first: number,
  event: NewEvent,
): { sql: string; params: unknown[] } {
  const $ = (i: number) => `$${first + i}`;
  return {
    sql: `INSERT INTO outbox ${COLUMNS}
      SELECT ${$(0)}::text, ${$(1)}::uuid, ${$(2)}::text, ${$(3)}::text, ${$(4)}::jsonb, ${$(5)}::text FROM ${source}
      ON CONFLICT (event_id) DO NOTHING`,
    params: values(event),
  };
}
