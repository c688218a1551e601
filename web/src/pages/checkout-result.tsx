// What became of a checkout: paid (with the way to the order), still being confirmed, or
// declined with a way to pay again with another card (POST /payments) until it is paid.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import { useOrder } from '../api/queries.ts';
import type { Order } from '../api/types.ts';
import { CardChoice, TEST_CARDS } from '../components/cards.tsx';
import { FormSubmit, Loading, Notice, QueryState } from '../components/feedback.tsx';
import { Money } from '../components/money.tsx';
import { orderReference } from '../components/order-view.tsx';
import { Page } from '../components/page.tsx';
import { pathTo } from '../routes.ts';

function PayAgain({ order, onAccepted }: { order: Order; onAccepted: () => void }) {
  const [card, setCard] = useState(TEST_CARDS[0]!.value);
  const pay = useMutation({
    mutationFn: () => ok(api.POST('/payments', { body: { order_id: order.id, payment_method: card } })),
    onSuccess: (payment) => {
      if (payment.status !== 'failed') onAccepted();
    },
  });
  const declinedAgain = pay.data?.status === 'failed';
  return (
    <form
      className="pay-again"
      onSubmit={(e) => {
        e.preventDefault();
        if (!pay.isPending) pay.mutate();
      }}
    >
      <Notice
        tone="error"
        title={declinedAgain ? 'The card was declined again' : 'Your payment was declined'}
      >
        Nothing was charged and your items are no longer reserved. Choose a card and pay again to complete the
        order.
      </Notice>
      <CardChoice value={card} onChange={setCard} />
      <FormSubmit
        mutation={pay}
        errorTitle="The payment was not made"
        label="Pay again"
        busyLabel="Paying…"
      />
    </form>
  );
}

export function CheckoutResultPage() {
  const { orderId = '' } = useParams();
  // After an accepted payment the order leaves payment_failed shortly; poll until it has.
  const [paymentAccepted, setPaymentAccepted] = useState(false);
  const query = useOrder(orderId, paymentAccepted ? 'payment_failed' : undefined);
  const status = query.data?.status;

  const title =
    status === 'payment_failed'
      ? 'Payment failed'
      : status === 'pending' || !status
        ? 'Confirming your order'
        : 'Thank you, your order is paid';
  return (
    <Page title={title} narrow>
      <QueryState query={query} loading={<Loading label="Loading your order…" />}>
        {(o) => (
          <div className="result">
            <p className="result-summary">
              Order <strong>{orderReference(o.id)}</strong> ·{' '}
              <Money amount={o.total_price} currency={o.currency} />
            </p>
            {o.status === 'pending' && <Loading label="Confirming your payment…" lines={1} />}
            {o.status === 'payment_failed' && (
              <PayAgain order={o} onAccepted={() => setPaymentAccepted(true)} />
            )}
            {o.status === 'cancelled' && <Notice tone="warning" title="This order was cancelled" />}
            {['paid', 'shipped', 'delivered'].includes(o.status) && (
              <Notice tone="success" title="Payment received">
                We have sent a confirmation to your email address and will let you know when the parcel ships.
              </Notice>
            )}
            <p className="result-actions">
              <Link className="button button-secondary" to={pathTo('order', { id: o.id })}>
                View order details
              </Link>
              <Link to="/">Continue shopping</Link>
            </p>
          </div>
        )}
      </QueryState>
    </Page>
  );
}
