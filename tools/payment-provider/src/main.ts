// Entry point: reads the config (printing every problem and exiting 1 when it is invalid),
// serves the simulator, and on SIGTERM/SIGINT stops taking requests and exits.
import { buildApp } from './app.ts';
import { loadConfigOrExit } from '@minishop/kit/config';
import { ConfigSchema } from './config.ts';

const DRAIN_TIMEOUT_MS = 10_000;

const config = loadConfigOrExit(ConfigSchema, 'payment-provider');
const app = buildApp(config);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  app.log.info({ signal }, 'stopping');
  setTimeout(() => process.exit(1), DRAIN_TIMEOUT_MS).unref();
  await app.close();
  process.exit(0);
}
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));

await app.listen({ host: config.HOST, port: config.PORT });
