import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { CheckoutPage } from '../src/pages/checkout.tsx';
import { json, renderPage } from './render.tsx';

const CART = {
  user_id: 'u1',
  items: [{ product_id: 'p1', name: 'Stoneware mug', unit_price: '12.34', quantity: 2, line_total: '24.68' }],
  total_price: '24.68',
  currency: 'USD',
};
const ORDER = { id: '0d5c2a1e-0000-4000-8000-000000000001', status: 'paid' };

async function fillAddress(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByLabelText('Full name'), 'Ada Lovelace');
  await user.type(screen.getByLabelText('Street address'), '12 St James Square');
  await user.type(screen.getByLabelText('City'), 'London');
  await user.type(screen.getByLabelText('Postal code'), 'SW1Y 4JH');
  await user.selectOptions(screen.getByLabelText('Country'), 'GB');
}

describe('checkout', () => {
  it('shows what to fix next to each field and moves focus to the first one', async () => {
    const user = userEvent.setup();
    const { sent } = renderPage(<CheckoutPage />, { url: '/checkout', answer: () => json(200, CART) });
    await user.click(await screen.findByRole('button', { name: 'Place order' }));

    const name = screen.getByLabelText('Full name');
    expect(document.activeElement).toBe(name);
    expect(name.getAttribute('aria-invalid')).toBe('true');
    const describedBy = name.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy)?.textContent).toBe('Enter the full name.');
    expect(screen.getByText('Enter the postal code.')).toBeTruthy();
    expect(sent.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('sends one order with one Idempotency-Key when Place order is pressed twice', async () => {
    const user = userEvent.setup();
    let release: () => void = () => {};
    const { sent, router } = renderPage(<CheckoutPage />, {
      url: '/checkout',
      answer: async (method) => {
        if (method === 'GET') return json(200, CART);
        await new Promise<void>((resolve) => (release = resolve));
        return json(201, ORDER);
      },
    });
    await fillAddress(user);
    await user.click(screen.getByLabelText(/Test card that the bank declines/));
    await user.dblClick(screen.getByRole('button', { name: 'Place order' }));
    await waitFor(() => expect(sent.some((r) => r.method === 'POST')).toBe(true));
    release();
    await waitFor(() => expect(router.state.location.pathname).toBe(`/checkout/${ORDER.id}`));

    const posts = sent.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.headers.get('idempotency-key')).toMatch(/^checkout-[0-9a-f]{32}$/);
    expect(posts[0]!.body).toEqual({
      shipping_address: {
        name: 'Ada Lovelace',
        line1: '12 St James Square',
        city: 'London',
        postal_code: 'SW1Y 4JH',
        country: 'GB',
      },
      payment_method: 'pm_card_chargeDeclined',
    });
  });

  it('asks again with the same key when the answer was lost', async () => {
    const user = userEvent.setup();
    let posts = 0;
    const { sent, router } = renderPage(<CheckoutPage />, {
      url: '/checkout',
      answer: (method) => {
        if (method === 'GET') return json(200, CART);
        posts += 1;
        if (posts === 1) throw new TypeError('connection reset');
        return json(201, ORDER);
      },
    });
    await fillAddress(user);
    await user.click(screen.getByRole('button', { name: 'Place order' }));
    await waitFor(() => expect(router.state.location.pathname).toBe(`/checkout/${ORDER.id}`), {
      timeout: 4000,
    });

    const keys = sent.filter((r) => r.method === 'POST').map((r) => r.headers.get('idempotency-key'));
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it("shows the server's reason in words when the order is refused", async () => {
    const user = userEvent.setup();
    renderPage(<CheckoutPage />, {
      url: '/checkout',
      answer: (method) =>
        method === 'GET'
          ? json(200, CART)
          : json(409, { title: 'Conflict', status: 409, detail: 'Only 1 of Stoneware mug left in stock' }),
    });
    await fillAddress(user);
    await user.click(screen.getByRole('button', { name: 'Place order' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Your order was not placed');
    expect(alert.textContent).toContain('Only 1 of Stoneware mug left in stock');
  });
});
