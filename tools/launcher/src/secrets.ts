// The local stack's generated secrets (service client secrets, payment provider keys), created
// once and kept in a file so that a restart keeps tokens, clients and webhooks consistent.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { SERVICE_CLIENT_SCOPES, type StackSecretsView } from './components.ts';

interface SecretsFile {
  service_clients: Record<string, string>;
  payment_provider_secret_key: string;
  payment_webhook_secret: string;
}

const token = (bytes = 24): string => randomBytes(bytes).toString('base64url');

/**
 * Reads the secrets file, adding whatever is missing (a new service client, say) and writing it
 * back readable by its owner only. Existing values are never changed.
 */
export async function loadOrCreateSecrets(file: string): Promise<StackSecretsView> {
  let stored: Partial<SecretsFile> = {};
  try {
    stored = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<SecretsFile>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`${file} is not readable JSON (${(error as Error).message}); delete it to start over.`);
    }
  }
  const next: SecretsFile = {
    service_clients: { ...stored.service_clients },
    payment_provider_secret_key: stored.payment_provider_secret_key ?? `sk_test_${token()}`,
    payment_webhook_secret: stored.payment_webhook_secret ?? `whsec_${token()}`,
  };
  for (const clientId of Object.keys(SERVICE_CLIENT_SCOPES)) {
    next.service_clients[clientId] ??= token();
  }
  if (JSON.stringify(next) !== JSON.stringify(stored)) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await fs.writeFile(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    await fs.rename(temporary, file);
  }
  return {
    serviceClients: next.service_clients,
    paymentProviderSecretKey: next.payment_provider_secret_key,
    paymentWebhookSecret: next.payment_webhook_secret,
  };
}
