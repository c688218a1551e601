/// <reference lib="dom" />
// Browser test support: pages that record every console error, uncaught exception, failed request and 5xx
// so a test can insist there were none, and axe-core run inside the page.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { launchChromium } from './chromium.ts';

export { launchChromium };

export const shop = () => inject('browserShop');

export const PHONE = { width: 375, height: 740 };
export const DESKTOP = { width: 1280, height: 860 };

export interface Visitor {
  context: BrowserContext;
  page: Page;
  /** What went wrong in the page so far: console errors, exceptions, failed requests, 5xx. */
  problems: string[];
}

export async function newVisitor(browser: Browser, viewport = DESKTOP): Promise<Visitor> {
  const context = await browser.newContext({ baseURL: shop().gateway, viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => {
    // A read the page dropped because the user moved on (a query cancelled on unmount) is no failure.
    if (r.failure()?.errorText === 'net::ERR_ABORTED' && r.method() === 'GET') return;
    problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 500) problems.push(`${r.status()} from ${r.request().method()} ${r.url()}`);
  });
  return { context, page, problems };
}

export function expectNoProblems(visitor: Visitor): void {
  expect(visitor.problems, visitor.problems.join('\n')).toEqual([]);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core on the page as it is now; serious and critical violations fail the test. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  // Evaluated through the debugging protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map(
    (v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(report, `${what}:\n${report.join('\n')}`).toEqual([]);
}

/** The page is no wider than the window: nothing to scroll sideways. */
export async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll, `${what} is ${scroll}px wide in a ${client}px window`).toBeLessThanOrEqual(client);
}

/**
 * One browser for the test file; `visit()` opens a new visitor (own cookies and storage), and
 * after each test every visitor it opened must have seen no problem.
 */
export function useBrowser(): { visit: (viewport?: { width: number; height: number }) => Promise<Visitor> } {
  let browser: Browser;
  const open: Visitor[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());
  afterEach(async () => {
    for (const visitor of open.splice(0)) {
      expectNoProblems(visitor);
      await visitor.context.close();
    }
  });
  return {
    async visit(viewport) {
      const visitor = await newVisitor(browser, viewport);
      open.push(visitor);
      return visitor;
    },
  };
}
