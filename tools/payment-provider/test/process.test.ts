import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { startProcess as start } from './provider-process.ts';

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
