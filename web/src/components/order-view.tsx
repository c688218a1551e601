// An order as both the buyer and the staff see it: a list of orders, and one order with its
// lines, address, status history and shipment (status, carrier and tracking number).
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { usePayment, useShipment } from '../api/queries.ts';
import type { Order } from '../api/types.ts';
import { QueryState } from './feedback.tsx';
import { Lines } from './lines.tsx';
import { Money } from './money.tsx';
import { StatusBadge, When, orderStatusLabel } from './status.tsx';

export function orderReference(id: string): string {
  return id.slice(0, 8).toUpperCase();
}

export function OrderTable({
  orders,
  hrefOf,
  note,
  label = 'Orders',
}: {
  orders: Order[];
  hrefOf: (o: Order) => string;
  note?: (o: Order) => ReactNode;
  /** The list's accessible name, when a page shows more than one. */
  label?: string;
}) {
  return (
    <ul className="order-list" aria-label={label}>
      {orders.map((o) => (
        <li key={o.id} className="order-row">
          <Link to={hrefOf(o)} className="order-row-link">
            Order {orderReference(o.id)}
          </Link>
          <When at={o.created_at} />
          <StatusBadge status={o.status} />
          <Money amount={o.total_price} currency={o.currency} className="order-row-total" />
          {note?.(o)}
        </li>
      ))}
    </ul>
  );
}

function ShipmentCard({ order }: { order: Order }) {
  const shipment = useShipment(order.shipment_id, order.status);
  if (!order.shipment_id)
    return (
      <p className="muted">
        {order.status === 'pending'
          ? 'The shipment is created once the payment is confirmed.'
          : 'No shipment for this order.'}
      </p>
    );
  return (
    <QueryState query={shipment}>
      {(s) => (
        <dl className="facts">
          <div>
            <dt>Shipment</dt>
            <dd>
              <StatusBadge status={s.status} kind="shipment" />
            </dd>
          </div>
          <div>
            <dt>Carrier</dt>
            <dd>{s.carrier}</dd>
          </div>
          <div>
            <dt>Tracking number</dt>
            <dd className="tracking">{s.tracking_number}</dd>
          </div>
        </dl>
      )}
    </QueryState>
  );
}

/** The order's payment as the buyer would see it on a statement: paid, declined or refunded. */
function PaymentFacts({ order }: { order: Order }) {
  const payment = usePayment(order.payment_id, order.status);
  if (!order.payment_id) return null;
  return (
    <QueryState query={payment} loading={null}>
      {(p) => (
        <dl className="facts">
          <div>
            <dt>Payment</dt>
            <dd>
              <StatusBadge status={p.status} kind="payment" />{' '}
              <Money amount={p.amount} currency={p.currency} />
            </dd>
          </div>
        </dl>
      )}
    </QueryState>
  );
}

export function OrderDetail({ order, actions }: { order: Order; actions?: ReactNode }) {
  const a = order.shipping_address;
  return (
    <div className="order-detail">
      <section className="panel" aria-labelledby="order-status">
        <h2 id="order-status">
          Status: <StatusBadge status={order.status} />
        </h2>
        {order.attention && (
          <p className="notice tone-warning" role="note">
            Needs attention: {order.attention}
          </p>
        )}
        <ol className="timeline" aria-label="Status history">
          {(order.history ?? []).map((h, i) => (
            <li key={`${h.status}-${i}`}>
              <span className="timeline-status">{orderStatusLabel(h.status)}</span> <When at={h.at} />
              {h.reason && <span className="timeline-reason"> — {h.reason}</span>}
            </li>
          ))}
        </ol>
        <PaymentFacts order={order} />
        {actions}
      </section>
      <section className="panel" aria-labelledby="order-shipping">
        <h2 id="order-shipping">Delivery</h2>
        <address>
          {a.name}
          <br />
          {a.line1}
          {a.line2 && (
            <>
              <br />
              {a.line2}
            </>
          )}
          <br />
          {a.postal_code} {a.city}, {a.country}
        </address>
        <ShipmentCard order={order} />
      </section>
      <section className="panel panel-wide" aria-labelledby="order-items">
        <h2 id="order-items">Items</h2>
        <Lines
          items={order.items}
          currency={order.currency}
          total={order.total_price}
          label="Items in this order"
        />
      </section>
    </div>
  );
}
