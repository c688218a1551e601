// Entry point of the cart service: config, tracing when configured, Redis, token verifier, then serve
// until stopped.
import { loadConfigOrExit } from '@minishop/kit/config';
import { startTelemetry } from '@minishop/kit/telemetry';
import { ConfigSchema } from './config.ts';

const config = loadConfigOrExit(ConfigSchema, 'cart');
// Tracing patches http and ioredis as they load, so the rest is imported after it starts.
await startTelemetry('cart', config);
const { verifierFromConfig } = await import('@minishop/kit/jwt');
const { runService } = await import('@minishop/kit/lifecycle');
const { createRedis } = await import('@minishop/kit/redis');
const { createLogger } = await import('@minishop/kit/logging');
const { buildApp } = await import('./app.ts');

const redis = createRedis(config.REDIS_URL, { log: createLogger('cart', config.LOG_LEVEL) });
const app = await buildApp({ config, redis, tokens: verifierFromConfig(config) });
app.addHook('onClose', async () => {
  await redis.quit();
});
await runService(app, { host: config.HOST, port: config.PORT, managementPort: config.MANAGEMENT_PORT });
