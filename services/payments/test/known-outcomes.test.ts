// The outcomes a Payments replica remembers having written, which let the provider's webhook that
// repeats one be answered without a statement.
import { describe, expect, it } from 'vitest';
import type { PaymentRecord } from '../src/data/payments.repository.ts';
import { KnownOutcomes } from '../src/domain/known-outcomes.ts';

const row = (status: PaymentRecord['status']) => ({ status }) as PaymentRecord;

describe('known outcomes', () => {
  it('answers a question asked while the write is on its way once it has landed', async () => {
    const known = new KnownOutcomes();
    let land!: (value: PaymentRecord) => void;
    const written = known.write('pi_1', () => new Promise<PaymentRecord>((resolve) => (land = resolve)));
    const asked = known.has('pi_1', 'succeeded');
    land(row('succeeded'));
    expect(await asked).toBe(true);
    expect((await written)?.status).toBe('succeeded');
    expect(await known.has('pi_1', 'failed')).toBe(false);
  });

  it('learns nothing from a write that changed nothing or failed', async () => {
    const known = new KnownOutcomes();
    await known.write('pi_unchanged', async () => null);
    await expect(
      known.write('pi_broken', async () => Promise.reject(new Error('db down'))),
    ).rejects.toThrow();
    expect(await known.has('pi_unchanged', 'succeeded')).toBe(false);
    expect(await known.has('pi_broken', 'succeeded')).toBe(false);
  });

  it('keeps the latest status of a payment, and only the most recent payments', async () => {
    const known = new KnownOutcomes(2);
    await known.write('pi_a', async () => row('succeeded'));
    await known.write('pi_b', async () => row('succeeded'));
    await known.write('pi_a', async () => row('refunded'));
    await known.write('pi_c', async () => row('failed'));
    expect(await known.has('pi_a', 'refunded')).toBe(true);
    expect(await known.has('pi_a', 'succeeded')).toBe(false);
    expect(await known.has('pi_b', 'succeeded')).toBe(false);
    expect(await known.has('pi_c', 'failed')).toBe(true);
  });
});
