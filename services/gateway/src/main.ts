// Gateway entry point: config → tracing (when configured) → Redis and the token verifier → app →
// listen until stopped.
import { loadConfigOrExit } from '@minishop/kit/config';
import { startTelemetry } from '@minishop/kit/telemetry';
import { ConfigSchema } from './config.ts';

const config = loadConfigOrExit(ConfigSchema, 'gateway');
// Tracing patches http and ioredis as they load, so the rest is imported after it starts.
await startTelemetry('gateway', config);
const { verifierFromConfig } = await import('@minishop/kit/jwt');
const { runService } = await import('@minishop/kit/lifecycle');
const { createRedis } = await import('@minishop/kit/redis');
const { createLogger } = await import('@minishop/kit/logging');
const { buildApp } = await import('./app.ts');

const redis = createRedis(config.REDIS_URL, { log: createLogger('gateway', config.LOG_LEVEL) });
const tokens = verifierFromConfig(config);
const app = await buildApp({ config, redis, tokens });
app.addHook('onClose', async () => {
  redis.disconnect();
});
// Auth may start after the gateway; the key set is fetched again on the first token.
tokens.refresh().catch((err: unknown) => app.log.warn({ err }, 'signing keys not loaded yet'));
await runService(app, { host: config.HOST, port: config.PORT, managementPort: config.MANAGEMENT_PORT });
