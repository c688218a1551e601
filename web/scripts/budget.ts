// `npm run bench:web`: the web app's budget, measured in Debian's Chromium against a running
// stack (MINISHOP_API, default http://localhost:8080): the JavaScript the first page loads, as
// transferred, and the time from navigation until the product list is on screen. Every run is a
// new browser context (nothing cached). Budget: at most 150 kB of JavaScript, the list within 1 s.
import { launchChromium } from '../../test/browser/chromium.ts';

const base = process.env.MINISHOP_API ?? 'http://localhost:8080';
const RUNS = Number(process.env.RUNS ?? 9);
const JS_BUDGET_BYTES = 150 * 1000;
const LIST_BUDGET_MS = 1000;

interface Run {
  jsBytes: number;
  jsFiles: number;
  listMs: number;
}

const browser = await launchChromium();
async function measure(): Promise<Run> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  // Marks the moment the first product card is in the document, from the page's own clock.
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.querySelector('.product-card')) {
        (window as unknown as { listVisibleAt: number }).listVisibleAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const scripts = new Set<string>();
  let jsBytes = 0;
  cdp.on('Network.responseReceived', (e) => {
    if (e.type === 'Script') scripts.add(e.requestId);
  });
  cdp.on('Network.loadingFinished', (e) => {
    if (scripts.has(e.requestId)) jsBytes += e.encodedDataLength;
  });
  await page.goto(base);
  await page.waitForFunction(() => 'listVisibleAt' in window);
  const listMs = await page.evaluate(() => (window as unknown as { listVisibleAt: number }).listVisibleAt);
  await page.waitForLoadState('networkidle');
  await context.close();
  return { jsBytes, jsFiles: scripts.size, listMs };
}

const runs: Run[] = [];
await measure(); // warms the stack's caches, not the browser's
for (let i = 0; i < RUNS; i++) runs.push(await measure());
await browser.close();

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
const js = Math.max(...runs.map((r) => r.jsBytes));
const list = runs.map((r) => r.listMs);
const lines = [
  `web budget against ${base}, ${RUNS} runs, each in a fresh browser context`,
  `  JavaScript of the first page: ${(js / 1000).toFixed(1)} kB transferred in ${runs[0]!.jsFiles} files (budget ${JS_BUDGET_BYTES / 1000} kB) ${js <= JS_BUDGET_BYTES ? 'ok' : 'OVER'}`,
  `  product list on screen: median ${median(list).toFixed(0)} ms, slowest ${Math.max(...list).toFixed(0)} ms (budget ${LIST_BUDGET_MS} ms) ${Math.max(...list) <= LIST_BUDGET_MS ? 'ok' : 'OVER'}`,
];
console.log(lines.join('\n'));
