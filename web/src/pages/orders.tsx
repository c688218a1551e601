// My orders: the list (newest first, paged in the URL) and one order, refreshed while it moves.
import { Link, useParams } from 'react-router';
import { PAGE_SIZE, useOrder, useOrders } from '../api/queries.ts';
import { EmptyWithShopLink, Loading, QueryState } from '../components/feedback.tsx';
import { OrderDetail, OrderTable, orderReference } from '../components/order-view.tsx';
import { Page } from '../components/page.tsx';
import { Pager, usePageParam } from '../components/pager.tsx';
import { pathTo } from '../routes.ts';

export function OrdersPage() {
  const pageNumber = usePageParam();
  const orders = useOrders(pageNumber);
  return (
    <Page title="My orders">
      <QueryState
        query={orders}
        loading={<Loading label="Loading your orders…" />}
        isEmpty={(d) => d.items.length === 0}
        empty={<EmptyWithShopLink title="No orders yet" action="Start shopping" />}
      >
        {({ items, total }) => (
          <>
            <OrderTable orders={items} hrefOf={(o) => pathTo('order', { id: o.id })} />
            <Pager total={total} pageSize={PAGE_SIZE} label="Order list" />
          </>
        )}
      </QueryState>
    </Page>
  );
}

export function OrderPage() {
  const { id = '' } = useParams();
  const order = useOrder(id);
  return (
    <Page title={`Order ${orderReference(id)}`}>
      <QueryState query={order} loading={<Loading label="Loading the order…" />}>
        {(o) => <OrderDetail order={o} />}
      </QueryState>
      <p>
        <Link to={pathTo('orders')}>← All my orders</Link>
      </p>
    </Page>
  );
}
