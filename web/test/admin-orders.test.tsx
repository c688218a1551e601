import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import AdminOrders from '../src/admin/admin-orders.tsx';
import { json, renderPage } from './render.tsx';

function order(n: number, status: string, attention: string | null = null) {
  return {
    id: `0d5c2a1e-0000-4000-8000-${String(n).padStart(12, '0')}`,
    user_id: 'u1',
    items: [],
    total_price: '12.00',
    currency: 'USD',
    status,
    payment_id: null,
    shipment_id: null,
    shipping_address: { name: 'A', line1: 'B', city: 'C', postal_code: 'D', country: 'GB' },
    attention,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  };
}

const STUCK = order(1, 'paid', 'checkout step shipping keeps failing (5 tries)');
const NEWEST = order(2, 'paid');

/** The Orders API as the gateway answers an admin: the lists asked for, with their totals. */
function ordersApi(lists: { attention: object[]; attentionTotal: number; all: object[]; allTotal: number }) {
  return (_method: string, _path: string, _body: unknown, query: URLSearchParams) =>
    query.get('attention') === 'true'
      ? json(200, lists.attention, { 'x-total-count': String(lists.attentionTotal) })
      : json(200, lists.all, { 'x-total-count': String(lists.allTotal) });
}

const reference = (o: { id: string }) => `Order ${o.id.slice(0, 8).toUpperCase()}`;

describe('the admin’s orders', () => {
  it('asks the server for the status in the URL and its page, and pages by the server’s total', async () => {
    const { sent } = renderPage(<AdminOrders />, {
      url: '/admin/orders?status=paid&page=2',
      pattern: '/admin/orders',
      answer: ordersApi({ attention: [], attentionTotal: 0, all: [NEWEST], allTotal: 120 }),
    });
    await screen.findByRole('heading', { name: 'Paid orders (120)' });
    expect(screen.getByText('Page 2 of 3')).toBeTruthy();

    const lists = sent.filter((r) => r.path === '/orders').map((r) => Object.fromEntries(r.query));
    expect(lists).toContainEqual({ status: 'paid', limit: '50', offset: '50' });
    expect(lists).toContainEqual({ status: 'paid', attention: 'true', limit: '10', offset: '0' });
  });

  it('shows the orders the server says need attention first, with why, before every order', async () => {
    renderPage(<AdminOrders />, {
      url: '/admin/orders',
      pattern: '/admin/orders',
      answer: ordersApi({ attention: [STUCK], attentionTotal: 1, all: [NEWEST, STUCK], allTotal: 2 }),
    });
    const attention = await screen.findByRole('list', { name: 'Needs attention' });
    const all = await screen.findByRole('list', { name: 'All orders' });
    expect(attention.compareDocumentPosition(all) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(within(attention).getByRole('link').textContent).toBe(reference(STUCK));
    expect(attention.textContent).toContain('keeps failing (5 tries)');
    expect(
      within(all)
        .getAllByRole('link')
        .map((a) => a.textContent),
    ).toEqual([reference(NEWEST), reference(STUCK)]);
  });

  it('leaves the attention section out when nothing needs a person', async () => {
    renderPage(<AdminOrders />, {
      url: '/admin/orders',
      pattern: '/admin/orders',
      answer: ordersApi({ attention: [], attentionTotal: 0, all: [NEWEST], allTotal: 1 }),
    });
    await screen.findByRole('list', { name: 'All orders' });
    expect(screen.queryByRole('heading', { name: /Needs attention/ })).toBeNull();
  });

  it('puts a new status in the URL, starts at its first page and asks the server again', async () => {
    const user = userEvent.setup();
    const { sent, router } = renderPage(<AdminOrders />, {
      url: '/admin/orders?page=3',
      pattern: '/admin/orders',
      answer: ordersApi({ attention: [], attentionTotal: 0, all: [], allTotal: 0 }),
    });
    await screen.findByText('No orders yet');
    await user.selectOptions(screen.getByLabelText('Status'), 'cancelled');
    await waitFor(() => expect(router.state.location.search).toBe('?status=cancelled'));
    await screen.findByText('No cancelled orders');
    const asked = sent.map((r) => Object.fromEntries(r.query));
    expect(asked).toContainEqual({ status: 'cancelled', limit: '50', offset: '0' });
  });
});
