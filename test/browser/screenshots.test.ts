// Screenshots of the main pages for the docs (`npm run screenshots`, which sets SCREENSHOTS_DIR):
// desktop and phone, taken in the shop of the browser tests with a purchase made for the
// occasion. Without SCREENSHOTS_DIR there is nothing to do and the test is skipped.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { DESKTOP, PHONE, expectNoProblems, launchChromium, newVisitor } from './browser.ts';
import {
  addToBag,
  checkout,
  expectHeading,
  fillAddress,
  findProduct,
  newShopper,
  register,
  signInAsAdmin,
} from './flows.ts';

const dir = process.env.SCREENSHOTS_DIR;

async function shoot(page: Page, name: string, device: string): Promise<void> {
  await page.getByRole('heading', { level: 1 }).waitFor();
  await page
    .locator('.loading')
    .first()
    .waitFor({ state: 'detached' })
    .catch(() => undefined);
  await page.screenshot({ path: path.join(dir!, `${name}-${device}.png`) });
}

describe.runIf(dir)('docs screenshots', () => {
  it.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ])('of the main pages on a %s', async (device, viewport) => {
    await mkdir(dir!, { recursive: true });
    const browser = await launchChromium();
    const visitor = await newVisitor(browser, viewport);
    const { page } = visitor;
    await page.goto('/');
    await shoot(page, 'shop', device);
    await findProduct(page, 'coffee grinder');
    await shoot(page, 'product', device);
    await register(page, newShopper());
    await findProduct(page, 'coffee grinder');
    await addToBag(page, 1);
    await findProduct(page, 'notebook');
    await addToBag(page, 2);
    await page.goto('/bag');
    await shoot(page, 'bag', device);
    await page.goto('/checkout');
    await fillAddress(page);
    await shoot(page, 'checkout', device);
    const orderId = await checkout(page, 'pays');
    await expectHeading(page, 'Thank you, your order is paid');
    await page.goto(`/account/orders/${orderId}`);
    await page.locator('.tracking').waitFor();
    await shoot(page, 'order', device);

    const staff = await newVisitor(browser, viewport);
    await signInAsAdmin(staff.page);
    await staff.page.goto('/admin/orders');
    await shoot(staff.page, 'admin-orders', device);
    await staff.page.goto(`/admin/orders/${orderId}`);
    await staff.page.getByRole('button', { name: 'Mark as in transit' }).waitFor();
    await shoot(staff.page, 'admin-order', device);
    expectNoProblems(visitor);
    expectNoProblems(staff);
    await browser.close();
  });
});
