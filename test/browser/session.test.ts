/// <reference lib="dom" />
// Signing in in the browser: a reload keeps the session through the refresh cookie, signing out
// ends it, no script-readable storage ever holds a token, a customer gets no admin page, and
// URLs keep the place (search, sort and page survive reload and back).
import { describe, expect, it } from 'vitest';
import { useBrowser, type Visitor } from './browser.ts';
import { expectHeading, signedUpShopper, SOON, verificationLink } from './flows.ts';

const { visit } = useBrowser();

async function readableStorage(visitor: Visitor): Promise<string> {
  return visitor.page.evaluate(() =>
    JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }),
  );
}

describe('the session', () => {
  it('survives a reload, ends with sign out, and never leaves a token where scripts can read it', async () => {
    const visitor = await signedUpShopper(visit);
    const { page, context } = visitor;
    let storage = await readableStorage(visitor);
    expect(storage).not.toMatch(/eyJ|token/i);

    await page.goto('/account');
    await expectHeading(page, 'Your account');
    await page.reload();
    await expectHeading(page, 'Your account');
    storage = await readableStorage(visitor);
    expect(storage).not.toMatch(/eyJ|token/i);
    const cookies = await context.cookies();
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toContainEqual([
      'minishop_refresh',
      true,
      'Strict',
    ]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in', exact: true }).waitFor();
    expect((await context.cookies()).filter((c) => c.name === 'minishop_refresh')).toEqual([]);
    await page.goto('/account');
    await page.waitForURL(/\/signin\?next=%2Faccount$/);
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  it('shows a customer no admin page and no admin link', async () => {
    const { page } = await signedUpShopper(visit);
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    for (const path of ['/admin', '/admin/products/new', '/admin/orders']) {
      await page.goto(path);
      await expectHeading(page, 'Not available');
      expect(await page.getByRole('button', { name: /Create product|Cancel order/ }).count()).toBe(0);
    }
  });
});

describe('email verification', () => {
  it('confirms the address from the emailed link only when the person presses the button', async () => {
    const { page, who } = await signedUpShopper(visit);
    const link = await verificationLink(who.email);
    await page.goto(link);
    await expectHeading(page, 'Confirm your email');
    await page.goto('/account');
    await page.getByText('Please confirm your email address').waitFor();

    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    await page.getByText('Your email address is confirmed').waitFor();
    // The account page may read an account cached for a second before the confirmation.
    await expect
      .poll(async () => {
        await page.goto('/account');
        await page.locator('.facts').waitFor();
        return page.getByText('Your email address is confirmed').count();
      }, SOON)
      .toBe(1);
  });
});

describe('addresses of pages', () => {
  it('keep search, sort and page through reload and back', async () => {
    const { page } = await visit();
    await page.goto('/?sort=price');
    const first = page.getByRole('list', { name: 'Products' }).getByRole('listitem').first();
    await first.waitFor();
    const cheapest = await first.textContent();
    await page.getByRole('link', { name: 'Next →' }).click();
    await page.waitForURL(/page=2/);
    expect(new URL(page.url()).searchParams.get('sort')).toBe('price');
    await page.reload();
    await expect.poll(() => page.getByText(/Page 2 of/).count(), SOON).toBe(1);
    expect(await page.getByLabel('Sort by').inputValue()).toBe('price');
    await page.goBack();
    await page.waitForURL((url) => !url.searchParams.has('page'));
    await expect.poll(() => first.textContent(), SOON).toBe(cheapest);

    await page.goto('/?q=zzzz-nothing-matches');
    await page.getByText('Nothing matches').waitFor();
    expect(await page.getByRole('searchbox', { name: 'Search products' }).inputValue()).toBe(
      'zzzz-nothing-matches',
    );
  });

  it('answer a deep link to a product directly', async () => {
    const { page } = await visit();
    await page.goto('/?q=lamp');
    const link = page.getByRole('list', { name: 'Products' }).getByRole('link').first();
    const name = (await link.locator('.product-card-name').textContent()) ?? '';
    const href = (await link.getAttribute('href')) ?? '';
    await page.goto(href);
    await expectHeading(page, name.trim());
    const res = await page.request.get(href);
    expect(res.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});
