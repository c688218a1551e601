/// <reference lib="dom" />
// What a shopper and the staff do in the browser, step by step, as the tests and the docs
// screenshots need it; and the few reads behind the scenes (mail sink, admin API) that check it.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { eventually } from '@minishop/devstack/testing';
import { shop, type Visitor } from './browser.ts';

export interface Shopper {
  username: string;
  email: string;
  password: string;
}

export function newShopper(): Shopper {
  const username = `shopper_${randomUUID().slice(0, 10).replaceAll('-', '')}`;
  return { username, email: `${username}@example.test`, password: 'a long enough password' };
}

export async function register(page: Page, who: Shopper): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('link', { name: 'Account', exact: true }).waitFor();
}

/** A new visitor who has just registered as a new shopper. */
export async function signedUpShopper(visit: () => Promise<Visitor>): Promise<Visitor & { who: Shopper }> {
  const visitor = await visit();
  const who = newShopper();
  await register(visitor.page, who);
  return { ...visitor, who };
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Account', exact: true }).waitFor();
}

export async function signInAsAdmin(page: Page): Promise<void> {
  await signIn(page, shop().admin.email, shop().admin.password);
}

/** Searches the catalog and opens the first product that the search finds. */
export async function findProduct(page: Page, query: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('searchbox', { name: 'Search products' }).fill(query);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL((url) => url.searchParams.get('q') === query);
  await page.getByRole('list', { name: 'Products' }).getByRole('link').first().click();
  // The heading reads "Product" until the product has loaded; the way back comes with it.
  await page.getByRole('link', { name: '← Back to the shop' }).waitFor();
}

export async function addToBag(page: Page, quantity: number): Promise<void> {
  for (let n = 1; n < quantity; n++) await page.getByRole('button', { name: 'Increase quantity' }).click();
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByText('Added to your bag').waitFor();
}

/** A new shopper with one of the first product that a search finds in the bag. */
export async function shopperWithBag(visit: () => Promise<Visitor>, query: string): Promise<Page> {
  const { page } = await signedUpShopper(visit);
  await findProduct(page, query);
  await addToBag(page, 1);
  return page;
}

export const ADDRESS = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postal: 'SW1Y 4JH',
  country: 'GB',
};

export async function fillAddress(page: Page): Promise<void> {
  await page.getByLabel('Full name').fill(ADDRESS.name);
  await page.getByLabel('Street address').fill(ADDRESS.line1);
  await page.getByLabel('City').fill(ADDRESS.city);
  await page.getByLabel('Postal code').fill(ADDRESS.postal);
  await page.getByLabel('Country').selectOption(ADDRESS.country);
}

export type Card = 'pays' | 'declined';

export async function checkout(
  page: Page,
  card: Card,
  click: 'click' | 'dblclick' = 'click',
): Promise<string> {
  await page.goto('/checkout');
  await fillAddress(page);
  await page.getByLabel(card === 'pays' ? /Test card that pays/ : /Test card that the bank declines/).check();
  await page.getByRole('button', { name: 'Place order' })[click]();
  await page.waitForURL(/\/checkout\/[0-9a-f-]{36}$/);
  return page.url().split('/').pop()!;
}

export async function adminApi(method: string, path: string, body?: unknown): Promise<Response> {
  const login = await fetch(new URL('/auth/login', shop().gateway), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: shop().admin.email, password: shop().admin.password }),
  });
  const { access_token } = (await login.json()) as { access_token: string };
  return fetch(new URL(path, shop().gateway), {
    method,
    headers: {
      authorization: `Bearer ${access_token}`,
      'content-type': 'application/json',
      'cache-control': 'no-cache',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

interface MailMessage {
  ID: string;
  Subject: string;
}

async function mailTo(email: string): Promise<MailMessage[]> {
  const url = new URL(`/api/v1/search?query=${encodeURIComponent(`to:${email}`)}`, shop().mailUi);
  const body = (await (await fetch(url)).json()) as { messages?: MailMessage[] };
  return body.messages ?? [];
}

/** The text of the first email to an address whose subject matches, once it has arrived. */
export async function mailText(email: string, subject: RegExp): Promise<string> {
  return eventually(async () => {
    const message = (await mailTo(email)).find((m) => subject.test(m.Subject));
    if (!message) return undefined;
    const raw = await (await fetch(new URL(`/api/v1/message/${message.ID}/raw`, shop().mailUi))).text();
    // Quoted-printable bodies break long lines with "=" and write "=" as "=3D".
    return raw.replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
  }, `an email to ${email} about ${subject}`);
}

/** A product made through the admin API for one test (its own name, so searches find only it). */
export async function newProduct(kind: string, stock = 5): Promise<{ id: string; name: string }> {
  const name = `${kind} ${randomUUID().slice(0, 8)}`;
  const res = await adminApi('POST', '/catalog/products', {
    name,
    description: `A ${kind.toLowerCase()} made for one test.`,
    price: '18.00',
    stock,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; name: string };
}

/** The web page a verification email links to (path and query), read from the message's source. */
export async function verificationLink(email: string): Promise<string> {
  const text = await mailText(email, /verify/i);
  const link = /https?:\/\/[^\s"<>]+(\/verify-email\?token=[^\s"<>&]+)/.exec(text)?.[1];
  if (!link) throw new Error(`the verification email to ${email} has no link to the web app`);
  return link;
}

/** How long a page may take to show what the server did (a checkout, a poll of the order). */
export const SOON = { timeout: 20_000, interval: 200 };

export async function expectHeading(page: Page, text: string | RegExp): Promise<void> {
  await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), SOON).toMatch(text);
}

/** Presses Tab until the focused control's name matches, as a keyboard user would. */
export async function tabTo(page: Page, name: RegExp): Promise<void> {
  for (let presses = 0; presses < 80; presses++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement | null;
      if (!el || el === document.body) return '';
      return (el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent ?? el.textContent ?? '').trim();
    });
    if (name.test(focused)) return;
  }
  throw new Error(`Tab never reached a control named ${name}`);
}
