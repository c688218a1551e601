// Every customer's orders for the staff, the ones needing a person first, with a status filter
// kept in the URL (`?status=paid`). The list shows the newest 100 orders per page.
import { useSearchParams } from 'react-router';
import { useOrders } from '../api/queries.ts';
import type { Order } from '../api/types.ts';
import { EmptyState, Loading, QueryState } from '../components/feedback.tsx';
import { OrderTable } from '../components/order-view.tsx';
import { Page } from '../components/page.tsx';
import { Pager, usePageParam } from '../components/pager.tsx';
import { ORDER_STATUSES, orderStatusLabel } from '../components/status.tsx';
import { pathTo } from '../routes.ts';

const PAGE_SIZE = 100;

/** Orders flagged for a person come first, then paid orders waiting to ship, then the rest. */
export function attentionFirst(orders: Order[]): Order[] {
  const rank = (o: Order) => (o.attention ? 0 : o.status === 'paid' ? 1 : 2);
  return [...orders].sort((a, b) => rank(a) - rank(b));
}

export default function AdminOrders() {
  const [params, setParams] = useSearchParams();
  const pageNumber = usePageParam();
  const status = params.get('status') ?? '';
  const orders = useOrders(pageNumber, PAGE_SIZE);
  return (
    <Page title="Orders">
      <div className="catalog-tools">
        <div className="sort">
          <label htmlFor="status-filter">Status</label>
          <select
            id="status-filter"
            value={status}
            onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {})}
          >
            <option value="">All statuses</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {orderStatusLabel(s)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <QueryState query={orders} loading={<Loading label="Loading orders…" />}>
        {({ items, total }) => {
          const shown = attentionFirst(items.filter((o) => !status || o.status === status));
          return shown.length === 0 ? (
            <EmptyState
              title={status ? `No ${orderStatusLabel(status).toLowerCase()} orders` : 'No orders yet'}
            />
          ) : (
            <>
              <OrderTable
                orders={shown}
                hrefOf={(o) => pathTo('adminOrder', { id: o.id })}
                note={(o) =>
                  o.attention ? <span className="badge tone-warning">Needs attention</span> : null
                }
              />
              <Pager total={total} pageSize={PAGE_SIZE} label="Order list" />
            </>
          );
        }}
      </QueryState>
    </Page>
  );
}
