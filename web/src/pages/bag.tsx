// The bag: change a quantity, remove a line or empty it; prices and totals come from the server,
// and a quantity the stock cannot cover is refused with the server's words.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, ok } from '../api/client.ts';
import { keys, useCart } from '../api/queries.ts';
import { EmptyWithShopLink, ErrorNotice, Loading, QueryState } from '../components/feedback.tsx';
import { Lines, type Line } from '../components/lines.tsx';
import { Page } from '../components/page.tsx';
import { QuantityInput } from '../components/quantity.tsx';
import { pathTo } from '../routes.ts';

type Change =
  { kind: 'quantity'; line: Line; quantity: number } | { kind: 'remove'; line: Line } | { kind: 'empty' };

function useBagChange() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (change: Change) => {
      if (change.kind === 'empty') return ok(api.DELETE('/cart', {}));
      const path = { product_id: change.line.product_id };
      if (change.kind === 'remove') return ok(api.DELETE('/cart/items/{product_id}', { params: { path } }));
      return ok(
        api.PATCH('/cart/items/{product_id}', { params: { path }, body: { quantity: change.quantity } }),
      );
    },
    onSettled: () => client.invalidateQueries({ queryKey: keys.cart }),
  });
}

export function BagPage() {
  const cart = useCart();
  const change = useBagChange();
  return (
    <Page title="Your bag">
      <ErrorNotice error={change.error} title="Your bag was not changed" />
      <QueryState
        query={cart}
        loading={<Loading label="Loading your bag…" />}
        isEmpty={(c) => c.items.length === 0}
        empty={<EmptyWithShopLink title="Your bag is empty" />}
      >
        {(c) => (
          <>
            <Lines
              items={c.items}
              currency={c.currency}
              total={c.total_price}
              label="Items in your bag"
              controls={(line) => (
                <div className="line-controls">
                  <QuantityInput
                    label={`Quantity of ${line.name}`}
                    value={line.quantity}
                    max={999}
                    disabled={change.isPending}
                    onChange={(quantity) => change.mutate({ kind: 'quantity', line, quantity })}
                  />
                  <button
                    type="button"
                    className="link-button"
                    disabled={change.isPending}
                    onClick={() => change.mutate({ kind: 'remove', line })}
                    aria-label={`Remove ${line.name}`}
                  >
                    Remove
                  </button>
                </div>
              )}
            />
            <div className="bag-actions">
              <button
                type="button"
                className="button button-secondary"
                disabled={change.isPending}
                onClick={() => change.mutate({ kind: 'empty' })}
              >
                Empty bag
              </button>
              <Link className="button" to={pathTo('checkout')}>
                Checkout
              </Link>
            </div>
          </>
        )}
      </QueryState>
    </Page>
  );
}
