// Products for the staff: every product with its price and stock, searchable and paged in the
// URL, each with a link to edit it.
import { Link, useSearchParams } from 'react-router';
import { useProducts } from '../api/queries.ts';
import { EmptyState, Loading, QueryState } from '../components/feedback.tsx';
import { Money } from '../components/money.tsx';
import { Page } from '../components/page.tsx';
import { Pager, usePageParam } from '../components/pager.tsx';
import { StockNote } from '../components/product-card.tsx';
import { pathTo } from '../routes.ts';

const PAGE_SIZE = 20;

export default function AdminProducts() {
  const [params] = useSearchParams();
  const pageNumber = usePageParam();
  const q = params.get('q') ?? '';
  const products = useProducts({ q, sort: 'name', page: pageNumber, pageSize: PAGE_SIZE, fresh: true });
  return (
    <Page
      title="Products"
      actions={
        <Link className="button" to={pathTo('adminNewProduct')}>
          New product
        </Link>
      }
    >
      <QueryState
        query={products}
        loading={<Loading label="Loading products…" />}
        isEmpty={(d) => d.items.length === 0}
        empty={<EmptyState title="No products yet" />}
      >
        {({ items, total }) => (
          <>
            <div className="table-wrap">
              <table className="data-table">
                <caption className="visually-hidden">Products, by name</caption>
                <thead>
                  <tr>
                    <th scope="col">Product</th>
                    <th scope="col">Price</th>
                    <th scope="col">Stock</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((p) => (
                    <tr key={p.id}>
                      <th scope="row">
                        <Link to={pathTo('adminProduct', { id: p.id })} aria-label={`Edit ${p.name}`}>
                          {p.name}
                        </Link>
                      </th>
                      <td>
                        <Money amount={p.price} currency={p.currency} />
                      </td>
                      <td>
                        {p.stock} <StockNote stock={p.stock} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager total={total} pageSize={PAGE_SIZE} label="Product list" />
          </>
        )}
      </QueryState>
    </Page>
  );
}
