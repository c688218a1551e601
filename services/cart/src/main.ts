// Entry point of the cart service: config, Redis, token verifier, then serve until stopped.
import { loadConfigOrExit } from '@minishop/kit/config';
import { verifierFromConfig } from '@minishop/kit/jwt';
import { runService } from '@minishop/kit/lifecycle';
import { createRedis } from '@minishop/kit/redis';
import { buildApp } from './app.ts';
import { ConfigSchema } from './config.ts';

const config = loadConfigOrExit(ConfigSchema, 'cart');
const redis = createRedis(config.REDIS_URL);
const app = await buildApp({ config, redis, tokens: verifierFromConfig(config) });
app.addHook('onClose', async () => {
  await redis.quit();
});
await runService(app, { host: config.HOST, port: config.PORT });
