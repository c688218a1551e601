import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICE_CLIENT_SCOPES } from '../src/components.ts';
import { loadOrCreateSecrets } from '../src/secrets.ts';

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minishop-secrets-'));
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('local secrets', () => {
  it('creates a secret for every service client and the payment provider on the first run', async () => {
    const secrets = await loadOrCreateSecrets(path.join(dir, 'first', 'secrets.json'));
    expect(Object.keys(secrets.serviceClients).sort()).toEqual(Object.keys(SERVICE_CLIENT_SCOPES).sort());
    for (const secret of Object.values(secrets.serviceClients))
      expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(secrets.paymentProviderSecretKey).toMatch(/^sk_test_/);
    expect(secrets.paymentWebhookSecret).toMatch(/^whsec_/);
    expect(new Set(Object.values(secrets.serviceClients)).size).toBe(
      Object.keys(SERVICE_CLIENT_SCOPES).length,
    );
  });

  it('keeps the same secrets on the next run, in a file only its owner can read', async () => {
    const file = path.join(dir, 'again', 'secrets.json');
    const first = await loadOrCreateSecrets(file);
    const second = await loadOrCreateSecrets(file);
    expect(second).toEqual(first);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });

  it('adds a client that is new without changing the existing secrets', async () => {
    const file = path.join(dir, 'older', 'secrets.json');
    await fs.mkdir(path.dirname(file));
    await fs.writeFile(
      file,
      JSON.stringify({
        service_clients: { orders: 'kept-orders-secret' },
        payment_provider_secret_key: 'sk_test_kept',
        payment_webhook_secret: 'whsec_kept',
      }),
    );
    const secrets = await loadOrCreateSecrets(file);
    expect(secrets.serviceClients.orders).toBe('kept-orders-secret');
    expect(secrets.paymentProviderSecretKey).toBe('sk_test_kept');
    expect(secrets.serviceClients.payments).toBeTruthy();
    expect(await loadOrCreateSecrets(file)).toEqual(secrets);
  });

  it('refuses a damaged secrets file instead of replacing it', async () => {
    const file = path.join(dir, 'damaged.json');
    await fs.writeFile(file, '{ not json');
    await expect(loadOrCreateSecrets(file)).rejects.toThrow(/damaged\.json.*delete it/);
  });
});
