// The staff in the browser: a product created in the admin shows in the storefront and one
// deleted leaves it, a shipment moved to in transit shows on the customer's own order page, and
// a paid order cancelled in the admin is refunded, which the customer's page and mail say.
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

    const { page: customer } = await flow.signedUpShopper(visit);
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
      .poll(() => customer.getByRole('region', { name: 'Delivery' }).textContent(), flow.SOON)
      .toContain('In transit');
    await expect
      .poll(() => customer.getByRole('heading', { name: /Status/ }).textContent(), flow.SOON)
      .toContain('Shipped');
  });

  it('deletes a product, which the storefront’s search then no longer finds', async () => {
    const product = await flow.newProduct('Walnut tray');
    const { page: customer } = await visit();
    const search = `/?q=${encodeURIComponent(product.name)}`;
    const found = () => customer.getByRole('list', { name: 'Products' }).getByRole('listitem').count();
    await customer.goto(search);
    await expect.poll(found, flow.SOON).toBe(1);

    const { page: admin } = await visit();
    await flow.signInAsAdmin(admin);
    await admin.goto(`/admin/products?q=${encodeURIComponent(product.name)}`);
    await admin.getByRole('link', { name: `Edit ${product.name}` }).click();
    await admin.getByRole('button', { name: 'Delete product' }).click();
    await admin.getByRole('button', { name: `Yes, delete ${product.name}` }).click();
    await flow.expectHeading(admin, 'Products');

    // The catalog lets a search be cached for a second: look again until it is gone.
    await expect
      .poll(async () => {
        await customer.goto(search);
        await customer.getByRole('heading', { level: 1 }).waitFor();
        return customer.getByText('Nothing matches').count();
      }, flow.SOON)
      .toBe(1);
    expect(await customer.getByRole('list', { name: 'Products' }).count()).toBe(0);
  });
});

describe('the admin cancelling an order', () => {
  it('cancels a paid order, which is refunded: both order pages and the customer’s mail say so', async () => {
    const product = await flow.newProduct('Cotton tote');
    const { page: customer, who } = await flow.signedUpShopper(visit);
    await flow.findProduct(customer, product.name);
    await flow.addToBag(customer, 1);
    const orderId = await flow.checkout(customer, 'pays');
    await flow.expectHeading(customer, 'Thank you, your order is paid');
    // Cancelling waits for the checkout to finish; a shipment with its tracking number means it has.
    await customer.goto(`/account/orders/${orderId}`);
    await customer.locator('.tracking').waitFor(flow.SOON);

    const { page: admin } = await visit();
    await flow.signInAsAdmin(admin);
    await admin.goto('/admin/orders?status=paid');
    await admin
      .getByRole('list', { name: 'Paid orders' })
      .getByRole('link', { name: `Order ${orderId.slice(0, 8).toUpperCase()}` })
      .click();
    await admin.getByRole('button', { name: 'Cancel order' }).click();
    await admin.getByRole('button', { name: 'Yes, cancel and refund' }).click();
    await admin.getByText('Order cancelled').waitFor(flow.SOON);
    const status = (page: typeof admin) => page.getByRole('region', { name: /Status/ }).textContent();
    await expect.poll(() => status(admin), flow.SOON).toMatch(/Status: Cancelled[\s\S]*Refunded/);
    expect(await admin.getByRole('button', { name: /Cancel order|Mark as/ }).count()).toBe(0);

    await customer.reload();
    await expect.poll(() => status(customer), flow.SOON).toMatch(/Status: Cancelled[\s\S]*Refunded/);
    await expect
      .poll(() => customer.getByRole('region', { name: 'Delivery' }).textContent(), flow.SOON)
      .toContain('Cancelled');
    // The shop cancelled it, and the mail says so rather than that the customer asked.
    const mail = await flow.mailText(who.email, /was cancelled/);
    expect(mail).toMatch(/We have cancelled your order\./);
    expect(mail).not.toMatch(/as you asked/);
    expect(mail).toMatch(/has been refunded/);
  });
});
