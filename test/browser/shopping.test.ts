// A shopper in a real browser against the real shop: registering, searching, buying with the
// card that pays and the one that is declined, a double click, and a checkout by keyboard alone.
import { describe, expect, it } from 'vitest';
import { useBrowser } from './browser.ts';
import {
  addToBag,
  checkout,
  expectHeading,
  findProduct,
  mailText,
  shopperWithBag,
  signedUpShopper,
  tabTo,
  SOON,
} from './flows.ts';

const { visit } = useBrowser();

describe('a new shopper', () => {
  it('registers, finds a product, buys two with the card that pays, and sees the order ship', async () => {
    const { page, who } = await signedUpShopper(visit);
    await findProduct(page, 'candle');
    const product = await page.getByRole('heading', { level: 1 }).textContent();
    await addToBag(page, 2);

    await page.getByRole('link', { name: /Bag/ }).click();
    await expect
      .poll(() => page.getByRole('list', { name: 'Items in your bag' }).textContent())
      .toContain(product);
    await page.getByRole('link', { name: 'Checkout' }).click();
    const orderId = await checkout(page, 'pays');
    await expectHeading(page, 'Thank you, your order is paid');

    await page.getByRole('link', { name: 'My orders' }).click();
    const row = page.getByRole('list', { name: 'Orders' }).getByRole('listitem').first();
    await expect.poll(() => row.textContent(), SOON).toContain(orderId.slice(0, 8).toUpperCase());
    await row.getByRole('link').click();
    await expect.poll(() => page.locator('.tracking').textContent(), SOON).toMatch(/^\w{6,}$/);
    expect(await page.getByRole('list', { name: 'Items in this order' }).textContent()).toContain(
      'quantity 2',
    );

    // Counting emails would count the address's verification too: wait for each one by its subject.
    expect(await mailText(who.email, /received/i)).toContain(orderId.slice(0, 8).toUpperCase());
    expect(await mailText(who.email, /payment confirmed/i)).toContain(orderId.slice(0, 8).toUpperCase());
  });

  it('is told the card was declined and pays again with the card that pays', async () => {
    const page = await shopperWithBag(visit, 'notebook');
    await checkout(page, 'declined');
    await expectHeading(page, 'Payment failed');
    expect(await page.getByRole('alert').first().textContent()).toContain('declined');

    await page.getByLabel(/Test card that pays/).check();
    await page.getByRole('button', { name: 'Pay again' }).click();
    await expectHeading(page, 'Thank you, your order is paid');
  });

  it('makes one order when Place order is double-clicked', async () => {
    const page = await shopperWithBag(visit, 'mug');
    await checkout(page, 'pays', 'dblclick');
    await expectHeading(page, /paid|Confirming/);

    await page.goto('/account/orders');
    await page.getByRole('list', { name: 'Orders' }).waitFor();
    expect(await page.getByRole('list', { name: 'Orders' }).getByRole('listitem').count()).toBe(1);
  });

  it('checks out with the keyboard alone', async () => {
    const { page } = await signedUpShopper(visit);
    await findProduct(page, 'towel');
    await page.locator('body').focus();
    await tabTo(page, /^Add to cart$/);
    await page.keyboard.press('Enter');
    await page.getByText('Added to your bag').waitFor();
    await tabTo(page, /^Go to your bag$/);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/bag');
    await tabTo(page, /^Checkout$/);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/checkout');

    await tabTo(page, /^Full name$/);
    await page.keyboard.type('Grace Hopper');
    await tabTo(page, /^Street address$/);
    await page.keyboard.type('1 Navy Way');
    await tabTo(page, /^City$/);
    await page.keyboard.type('Arlington');
    await tabTo(page, /^Postal code$/);
    await page.keyboard.type('22202');
    await tabTo(page, /^Country$/);
    await page.keyboard.press('ArrowDown');
    await tabTo(page, /Test card that pays/);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await tabTo(page, /^Place order$/);
    await page.keyboard.press('Enter');
    await expectHeading(page, 'Thank you, your order is paid');
  });
});
