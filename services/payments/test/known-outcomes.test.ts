// The outcomes a Payments replica remembers having written, which let the provider's webhook that
// repeats one be answered without a statement.
import { describe, expect, it } from 'vitest';
import type { PaymentRecord } from '../src/data/payments.repository.ts';
import { KnownOutcomes } from '../src/domain/known-outcomes.ts';

const row = (status: PaymentRecord['status']) =>
  ({ status, trace_context: `trace-${status}` }) as PaymentRecord;
const statusOf = async (known: KnownOutcomes, intent: string) => (await known.lookup(intent))?.status;

describe('known outcomes', () => {
  it('answers a question asked while the write is on its way once it has landed', async () => {
    const known = new KnownOutcomes();
    let land!: (value: PaymentRecord) => void;
    const written = known.write('pi_1', () => new Promise<PaymentRecord>((resolve) => (land = resolve)));
    const asked = known.lookup('pi_1');
    land(row('succeeded'));
    expect(await asked).toEqual({ status: 'succeeded', trace: 'trace-succeeded' });
    expect((await written)?.status).toBe('succeeded');
  });

  it('learns nothing from a write that changed nothing or failed', async () => {
    const known = new KnownOutcomes();
    await known.write('pi_unchanged', async () => null);
    await expect(
      known.write('pi_broken', async () => Promise.reject(new Error('db down'))),
    ).rejects.toThrow();
    expect(await known.lookup('pi_unchanged')).toBeUndefined();
    expect(await known.lookup('pi_broken')).toBeUndefined();
  });

  it('keeps the latest status of a payment, and only the most recent payments', async () => {
    const known = new KnownOutcomes(2);
    await known.write('pi_a', async () => row('succeeded'));
    await known.write('pi_b', async () => row('succeeded'));
    await known.write('pi_a', async () => row('refunded'));
    await known.write('pi_c', async () => row('failed'));
    expect(await statusOf(known, 'pi_a')).toBe('refunded');
    expect(await known.lookup('pi_b')).toBeUndefined();
    expect(await statusOf(known, 'pi_c')).toBe('failed');
  });
});
