// The staff's start page: where products and orders are managed.
import { Link } from 'react-router';
import { Page } from '../components/page.tsx';
import { pathTo } from '../routes.ts';

export default function AdminHome() {
  return (
    <Page title="Admin">
      <ul className="admin-cards">
        <li className="panel">
          <h2>
            <Link to={pathTo('adminProducts')}>Products</Link>
          </h2>
          <p>Add products, change prices, descriptions and stock, or remove them from the shop.</p>
        </li>
        <li className="panel">
          <h2>
            <Link to={pathTo('adminOrders')}>Orders</Link>
          </h2>
          <p>Orders that need a person first; cancel and refund, and move shipments along.</p>
        </li>
      </ul>
    </Page>
  );
}
