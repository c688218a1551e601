// One order for the staff: everything the customer sees, plus cancelling it (which refunds a
// paid order) and moving its shipment to in transit and then delivered (the customer is emailed).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import { keys, useOrder, useShipment } from '../api/queries.ts';
import type { Order } from '../api/types.ts';
import { ConfirmButton, ErrorNotice, Loading, Notice, QueryState } from '../components/feedback.tsx';
import { OrderDetail, orderReference } from '../components/order-view.tsx';
import { Page } from '../components/page.tsx';
import { pathTo } from '../routes.ts';

const NEXT_SHIPMENT_STEP = {
  label_created: { status: 'in_transit', label: 'Mark as in transit' },
  in_transit: { status: 'delivered', label: 'Mark as delivered' },
} as const;

function OrderActions({ order }: { order: Order }) {
  const client = useQueryClient();
  const shipment = useShipment(order.shipment_id, order.status);
  const refresh = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: keys.order(order.id) }),
      client.invalidateQueries({ queryKey: keys.shipment(order.shipment_id ?? '') }),
      client.invalidateQueries({ queryKey: keys.orders }),
    ]);
  const cancel = useMutation({
    mutationFn: () => ok(api.POST('/orders/{id}/cancel', { params: { path: { id: order.id } } })),
    onSettled: refresh,
  });
  const move = useMutation({
    mutationFn: (status: 'in_transit' | 'delivered') =>
      ok(
        api.PATCH('/shipping/{id}', { params: { path: { id: order.shipment_id ?? '' } }, body: { status } }),
      ),
    onSettled: refresh,
  });
  const step =
    shipment.data && order.status !== 'cancelled'
      ? NEXT_SHIPMENT_STEP[shipment.data.status as keyof typeof NEXT_SHIPMENT_STEP]
      : undefined;
  const cancellable = ['pending', 'paid', 'payment_failed'].includes(order.status);

  return (
    <div className="order-actions">
      <ErrorNotice error={move.error ?? cancel.error} title="That did not go through" />
      {cancel.isSuccess && (
        <Notice tone="success" title="Order cancelled">
          A paid order is refunded to the card.
        </Notice>
      )}
      {step && (
        <button
          type="button"
          className="button"
          disabled={move.isPending}
          onClick={() => move.mutate(step.status)}
        >
          {step.label}
        </button>
      )}
      {cancellable && (
        <ConfirmButton
          label="Cancel order"
          confirmLabel="Yes, cancel and refund"
          keepLabel="Keep the order"
          pending={cancel.isPending}
          onConfirm={() => cancel.mutate()}
        />
      )}
    </div>
  );
}

export default function AdminOrder() {
  const { id = '' } = useParams();
  const order = useOrder(id);
  return (
    <Page title={`Order ${orderReference(id)}`}>
      <QueryState query={order} loading={<Loading label="Loading the order…" />}>
        {(o) => (
          <>
            <p className="muted">Customer account {o.user_id}</p>
            <OrderDetail order={o} actions={<OrderActions order={o} />} />
          </>
        )}
      </QueryState>
      <p>
        <Link to={pathTo('adminOrders')}>← All orders</Link>
      </p>
    </Page>
  );
}
