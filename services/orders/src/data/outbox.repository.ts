// The outbox: events written in the same transaction as the order change they announce, with the
// trace context of the request that made the change. The kit's relay delivers them.
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

export async function enqueue(
  db: Queryable,
  event: {
    event_id: string;
    order_id: string;
    type: string;
    recipient: string;
    payload: Record<string, unknown>;
  },
): Promise<void> {
  await db.query(
    prepared(
      `INSERT INTO outbox (event_id, order_id, type, recipient, payload, trace_context)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (event_id) DO NOTHING`,
      [event.event_id, event.order_id, event.type, event.recipient, event.payload, captureTraceContext()],
    ),
  );
}
