// One product: picture, description, price and stock, and adding it to the bag. Out of stock
// disables buying; a shopper who is not signed in is asked to sign in and comes back here.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import { keys, useProduct } from '../api/queries.ts';
import type { Product } from '../api/types.ts';
import { useSession } from '../auth/session.ts';
import { ErrorNotice, Loading, Notice, QueryState } from '../components/feedback.tsx';
import { Money } from '../components/money.tsx';
import { Page } from '../components/page.tsx';
import { StockNote } from '../components/product-card.tsx';
import { ProductArt } from '../components/product-art.tsx';
import { QuantityInput } from '../components/quantity.tsx';
import { pathTo } from '../routes.ts';

function Buy({ product }: { product: Product }) {
  const session = useSession();
  const location = useLocation();
  const client = useQueryClient();
  const [quantity, setQuantity] = useState(1);
  const add = useMutation({
    mutationFn: () => ok(api.POST('/cart/items', { body: { product_id: product.id, quantity } })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.cart }),
    onError: () => client.invalidateQueries({ queryKey: keys.product(product.id) }),
  });

  if (product.stock <= 0)
    return (
      <button type="button" className="button button-wide" disabled>
        Out of stock
      </button>
    );
  if (session.status !== 'signed-in')
    return (
      <Link
        className="button button-wide"
        to={`${pathTo('signIn')}?next=${encodeURIComponent(location.pathname)}`}
      >
        Sign in to buy
      </Link>
    );
  return (
    <form
      className="buy"
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate();
      }}
    >
      <QuantityInput label="Quantity" value={quantity} max={product.stock} onChange={setQuantity} />
      <button type="submit" className="button button-wide" disabled={add.isPending}>
        {add.isPending ? 'Adding…' : 'Add to cart'}
      </button>
      {add.isSuccess && (
        <Notice tone="success" title="Added to your bag">
          <Link to={pathTo('bag')}>Go to your bag</Link>
        </Notice>
      )}
      <ErrorNotice error={add.error} title="Not added" />
    </form>
  );
}

export function ProductPage() {
  const { id = '' } = useParams();
  const product = useProduct(id);
  return (
    <Page title={product.data?.name ?? (product.isError ? 'Product not found' : 'Product')}>
      <QueryState query={product} loading={<Loading label="Loading product…" />}>
        {(p) => (
          <div className="product-detail">
            <ProductArt id={p.id} name={p.name} className="product-detail-art" />
            <div className="product-detail-info">
              <p className="product-detail-price">
                <Money amount={p.price} currency={p.currency} />
              </p>
              <p>
                <StockNote stock={p.stock} />
              </p>
              <p className="product-description">{p.description || 'No description yet.'}</p>
              <Buy product={p} />
              <p>
                <Link to="/">← Back to the shop</Link>
              </p>
            </div>
          </div>
        )}
      </QueryState>
    </Page>
  );
}
