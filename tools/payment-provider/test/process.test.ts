import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const listening = new Promise<number>((resolve, reject) => {
    child.stdout.on('data', () => {
      const port = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)?.[1];
      if (port) resolve(Number(port));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  // Tests that expect a failed start never await this; keep its rejection from going unhandled.
  listening.catch(() => undefined);
  return { child, listening, output: () => ({ stdout, stderr }) };
}

describe('payment provider process', () => {
  it('serves the API and exits cleanly on SIGTERM', async () => {
    const proc = start({ MINISHOP_ENV: 'test', PORT: '0', HOST: '127.0.0.1' });
    const port = await proc.listening;
    const stripe = new Stripe('sk_test_minishop', { host: '127.0.0.1', port, protocol: 'http' });
    const pi = await stripe.paymentIntents.create({
      amount: 100,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    expect(pi.status).toBe('succeeded');

    proc.child.kill('SIGTERM');
    const [code] = await once(proc.child, 'exit');
    expect(code).toBe(0);
  });

  it('prints every configuration problem and exits 1', async () => {
    const proc = start({
      MINISHOP_ENV: 'production',
      PORT: 'eighty',
      PROVIDER_ERROR_RATE: '3',
    });
    const [code] = await once(proc.child, 'exit');
    expect(code).toBe(1);
    const { stderr } = proc.output();
    for (const name of ['PORT', 'PROVIDER_ERROR_RATE', 'PROVIDER_SECRET_KEY', 'PROVIDER_WEBHOOK_SECRET']) {
      expect(stderr).toContain(name);
    }
  });
});
