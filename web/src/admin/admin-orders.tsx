// Every customer's orders for the staff, with a status filter kept in the URL (`?status=paid`)
// that the server applies. The orders needing a person come first, in a section of their own that
// the server lists (`attention=true`), then every order, newest first; each list has its own pages.
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { useOrders } from '../api/queries.ts';
import type { Order, OrderStatus } from '../api/types.ts';
import { EmptyState, Loading, QueryState } from '../components/feedback.tsx';
import { OrderTable } from '../components/order-view.tsx';
import { Page } from '../components/page.tsx';
import { Pager, usePageParam } from '../components/pager.tsx';
import { ORDER_STATUSES, orderStatusLabel } from '../components/status.tsx';
import { pathTo } from '../routes.ts';

const PAGE_SIZE = 50;
const ATTENTION_PAGE_SIZE = 10;
const ATTENTION_PAGE = 'attention_page';

const hrefOf = (o: Order) => pathTo('adminOrder', { id: o.id });

function statusParam(params: URLSearchParams): OrderStatus | undefined {
  const status = params.get('status');
  return ORDER_STATUSES.find((s) => s === status);
}

function StatusFilter({ status }: { status: OrderStatus | undefined }) {
  const [, setParams] = useSearchParams();
  return (
    <div className="catalog-tools">
      <div className="sort">
        <label htmlFor="status-filter">Status</label>
        <select
          id="status-filter"
          value={status ?? ''}
          // A new filter starts both lists at their first page.
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
  );
}

function OrderSection(props: {
  id: string;
  title: string;
  orders: Order[];
  total: number;
  pageSize: number;
  pageParam?: string;
  note: (o: Order) => ReactNode;
}) {
  return (
    <section className="order-section" aria-labelledby={props.id}>
      <h2 id={props.id}>
        {props.title} <span className="count">({props.total})</span>
      </h2>
      <OrderTable orders={props.orders} hrefOf={hrefOf} note={props.note} label={props.title} />
      <Pager total={props.total} pageSize={props.pageSize} label={props.title} param={props.pageParam} />
    </section>
  );
}

/** The orders a person must look at, with why; nothing at all when there are none. */
function NeedsAttention({ status }: { status: OrderStatus | undefined }) {
  const pageNumber = usePageParam(ATTENTION_PAGE);
  const orders = useOrders(pageNumber, ATTENTION_PAGE_SIZE, { status, attention: true });
  return (
    <QueryState query={orders} loading={null} isEmpty={(d) => d.total === 0} empty={null}>
      {({ items, total }) => (
        <OrderSection
          id="attention-orders"
          title="Needs attention"
          orders={items}
          total={total}
          pageSize={ATTENTION_PAGE_SIZE}
          pageParam={ATTENTION_PAGE}
          note={(o) => <span className="order-row-note">{o.attention}</span>}
        />
      )}
    </QueryState>
  );
}

export default function AdminOrders() {
  const [params] = useSearchParams();
  const pageNumber = usePageParam();
  const status = statusParam(params);
  const orders = useOrders(pageNumber, PAGE_SIZE, { status });
  const title = status ? `${orderStatusLabel(status)} orders` : 'All orders';
  return (
    <Page title="Orders">
      <StatusFilter status={status} />
      <NeedsAttention status={status} />
      <QueryState
        query={orders}
        loading={<Loading label="Loading orders…" />}
        isEmpty={(d) => d.total === 0}
        empty={<EmptyState title={status ? `No ${title.toLowerCase()}` : 'No orders yet'} />}
      >
        {({ items, total }) => (
          <OrderSection
            id="all-orders"
            title={title}
            orders={items}
            total={total}
            pageSize={PAGE_SIZE}
            note={(o) => (o.attention ? <span className="badge tone-warning">Needs attention</span> : null)}
          />
        )}
      </QueryState>
    </Page>
  );
}
