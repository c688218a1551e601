// Every page, as the person who may see it, on a phone and on a desktop: no serious or critical
// axe-core violation and nothing to scroll sideways. Also: the API the client is generated from
// is the API the running services publish.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fetchPublicContract } from '../../web/scripts/openapi-public.ts';
import { DESKTOP, PHONE, expectAccessible, expectNoSidewaysScroll, shop, useBrowser } from './browser.ts';
import {
  addToBag,
  checkout,
  expectHeading,
  findProduct,
  newShopper,
  register,
  signInAsAdmin,
} from './flows.ts';

const { visit } = useBrowser();

async function check(page: Page, what: string): Promise<void> {
  await page.getByRole('heading', { level: 1 }).waitFor();
  await page
    .locator('.loading')
    .first()
    .waitFor({ state: 'detached', timeout: 10_000 })
    .catch(() => undefined);
  await expectAccessible(page, what);
  await expectNoSidewaysScroll(page, what);
}

describe.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
])('every page on a %s', (_, viewport) => {
  it('as a visitor and a shopper', async () => {
    const visitor = await visit(viewport);
    const { page } = visitor;
    for (const url of ['/', '/?q=zzzz-nothing', '/signin', '/register', '/verify-email?token=abc']) {
      await page.goto(url);
      await check(page, url);
    }
    await findProduct(page, 'lamp');
    await check(page, 'product page');

    await register(page, newShopper());
    for (const url of ['/bag', '/account/orders', '/account']) {
      await page.goto(url);
      await check(page, `${url} (empty)`);
    }
    await findProduct(page, 'pen');
    await addToBag(page, 1);
    await page.goto('/bag');
    await check(page, '/bag');
    await page.goto('/checkout');
    await check(page, '/checkout');
    await page.getByRole('button', { name: 'Place order' }).click();
    await check(page, '/checkout with every error showing');
    const orderId = await checkout(page, 'declined');
    await expectHeading(page, 'Payment failed');
    await check(page, 'payment failed');
    await page.goto('/account/orders');
    await check(page, '/account/orders');
    await page.goto(`/account/orders/${orderId}`);
    await check(page, 'order page');
  });

  it('as the admin', async () => {
    const visitor = await visit(viewport);
    const { page } = visitor;
    await signInAsAdmin(page);
    for (const url of ['/admin', '/admin/products', '/admin/products/new', '/admin/orders']) {
      await page.goto(url);
      await check(page, url);
    }
    await page.goto('/admin/products');
    await page.getByRole('table').getByRole('link').first().click();
    await check(page, 'product editor');
    await page.goto('/admin/orders');
    const order = page.getByRole('list', { name: 'Orders' }).getByRole('link').first();
    if ((await order.count()) > 0) {
      await order.click();
      await check(page, 'admin order page');
    }
  });
});

describe('the API client', () => {
  it('is generated from the public API that the running services publish', async () => {
    const snapshot = JSON.parse(
      readFileSync(path.join(import.meta.dirname, '../../web/src/api/openapi.json'), 'utf8'),
    );
    const live = await fetchPublicContract(shop().gateway);
    // When this fails, run `npm run api:snapshot -w web` against a running stack and commit it.
    expect(live).toEqual(snapshot);
  });
});
