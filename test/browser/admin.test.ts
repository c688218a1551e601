// The staff in the browser: a product created in the admin shows in the storefront, and a
// shipment moved to in transit shows on the customer's own order page.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useBrowser } from './browser.ts';
import * as flow from './flows.ts';

const { visit } = useBrowser();

describe('the admin', () => {
  it('creates a product that the storefront then sells, and ships a customer’s order', async () => {
    const { page: admin } = await visit();
    await flow.signInAsAdmin(admin);
    await admin.getByRole('link', { name: 'Admin' }).click();
    await admin.getByRole('link', { name: 'Products' }).click();
    await admin.getByRole('link', { name: 'New product' }).click();
    const name = `Linen apron ${randomUUID().slice(0, 6)}`;
    await admin.getByLabel('Name').fill(name);
    await admin.getByLabel('Description').fill('Heavy linen, one size, two pockets.');
    await admin.getByLabel('Price (USD)').fill('29.50');
    await admin.getByLabel('Stock').fill('3');
    await admin.getByRole('button', { name: 'Create product' }).click();
    await admin.getByText('Product saved').waitFor();
    await flow.expectHeading(admin, `Edit ${name}`);

    const { page: customer } = await visit();
    await flow.register(customer, flow.newShopper());
    await flow.findProduct(customer, name);
    await flow.expectHeading(customer, name);
    expect(await customer.getByText('Only 3 left').count()).toBe(1);
    await flow.addToBag(customer, 1);
    const orderId = await flow.checkout(customer, 'pays');
    await flow.expectHeading(customer, 'Thank you, your order is paid');

    await admin.goto('/admin/orders?status=paid');
    await admin.getByRole('link', { name: `Order ${orderId.slice(0, 8).toUpperCase()}` }).click();
    await admin.getByRole('button', { name: 'Mark as in transit' }).click();
    await admin.getByRole('button', { name: 'Mark as delivered' }).waitFor();

    await customer.goto(`/account/orders/${orderId}`);
    await expect
      .poll(() => customer.locator('.facts').first().textContent(), flow.SOON)
      .toContain('In transit');
    await expect
      .poll(() => customer.getByRole('heading', { name: /Status/ }).textContent(), flow.SOON)
      .toContain('Shipped');
  });
});
