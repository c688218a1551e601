// Gateway entry point: config → Redis and the token verifier → app → listen until stopped.
import { loadConfigOrExit } from '@minishop/kit/config';
import { verifierFromConfig } from '@minishop/kit/jwt';
import { runService } from '@minishop/kit/lifecycle';
import { createRedis } from '@minishop/kit/redis';
import { buildApp } from './app.ts';
import { ConfigSchema } from './config.ts';

const config = loadConfigOrExit(ConfigSchema, 'gateway');
const redis = createRedis(config.REDIS_URL);
// A Redis outage degrades rate limiting; it must not crash the gateway.
redis.on('error', () => {});
const tokens = verifierFromConfig(config);
const app = await buildApp({ config, redis, tokens });
app.addHook('onClose', async () => {
  redis.disconnect();
});
// Auth may start after the gateway; the key set is fetched again on the first token.
tokens.refresh().catch((err: unknown) => app.log.warn({ err }, 'signing keys not loaded yet'));
await runService(app, { host: config.HOST, port: config.PORT });
