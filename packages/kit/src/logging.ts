// One logger configuration for every process of the shop: JSON lines carrying the service name,
// credentials redacted, and with tracing on the trace and span of the line.
import { pino, type LoggerOptions } from 'pino';
import { activeTelemetry } from './telemetry.ts';

export function loggerOptions(service: string, level = 'info'): LoggerOptions {
  const telemetry = activeTelemetry();
  return {
    level,
    base: { service },
    redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["stripe-signature"]'],
    ...(telemetry ? { mixin: () => telemetry.logFields() } : {}),
  };
}

/** A logger for what a service does before (or besides) its HTTP app, such as its Redis client. */
export function createLogger(service: string, level = 'info') {
  return pino(loggerOptions(service, level));
}
