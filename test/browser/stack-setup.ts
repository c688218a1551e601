// Global setup of the browser tests: one shop for the whole run, started the way `npm start`
// starts it (the launcher's startStack, which builds web/ when it changed and has the gateway
// serve it), on free ports, with the demo catalog, against the run's PostgreSQL and Redis.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStack } from '../../tools/launcher/src/stack.ts';

export interface BrowserShop {
  gateway: string;
  mailUi: string;
  paymentProvider: string;
  providerSecret: string;
  admin: { email: string; password: string };
}

declare module 'vitest' {
  interface ProvidedContext {
    browserShop: BrowserShop;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const provided = project.getProvidedContext();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'minishop-browser-'));
  const stack = await startStack({
    dataDir,
    ports: 'free',
    quiet: true,
    persistent: false,
    seed: true,
    databaseUrl: provided.pgAdminUrl,
    redisUrl: provided.redisUrl,
    databasePrefix: `browser_t${provided.devstackRunId}_`,
    env: { MINISHOP_ENV: 'test', LOG_LEVEL: 'warn' },
    componentEnv: {
      gateway: { RATE_LIMIT_PER_MINUTE: '0' },
      auth: { LOGIN_MAX_ATTEMPTS_PER_IP: '100000' },
    },
  });
  if (stack.web?.status !== 'built' && stack.web?.status !== 'fresh') {
    await stack.stop();
    throw new Error(`the web app was not built: ${JSON.stringify(stack.web)}`);
  }
  project.provide('browserShop', {
    gateway: stack.urls.gateway,
    mailUi: stack.urls.mailUi,
    paymentProvider: stack.urls.paymentProvider,
    providerSecret: stack.secrets.paymentProviderSecretKey,
    admin: stack.admin,
  });
  return async () => {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
