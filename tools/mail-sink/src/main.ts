// Entry point: reads the config (printing every problem and exiting 1 when it is invalid),
// starts the SMTP and HTTP servers, and on SIGTERM/SIGINT closes both and exits.
import { buildMailSink } from './app.ts';
import { loadConfigOrExit } from '@minishop/kit/config';
import { ConfigSchema } from './config.ts';

const DRAIN_TIMEOUT_MS = 10_000;

const config = loadConfigOrExit(ConfigSchema, 'mail-sink');
const sink = buildMailSink(config);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  sink.http.log.info({ signal }, 'stopping');
  setTimeout(() => process.exit(1), DRAIN_TIMEOUT_MS).unref();
  await sink.http.close();
  process.exit(0);
}
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));

const smtpPort = await sink.smtp.listen(config.SMTP_PORT, config.HOST);
await sink.http.listen({ host: config.HOST, port: config.HTTP_PORT });
sink.http.log.info({ smtp: `${config.HOST}:${smtpPort}` }, 'mail sink accepting SMTP');
