// Entry point: reads the config (printing every problem and exiting 1 when it is invalid),
// serves the simulator, and on SIGTERM/SIGINT stops taking requests and exits.
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';

const DRAIN_TIMEOUT_MS = 10_000;

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`payment-provider: ${err.message}`);
    process.exit(1);
  }
}

const config = configOrExit();
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
