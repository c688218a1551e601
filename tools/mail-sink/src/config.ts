// The mail sink's environment as one checked schema: every variable is converted, defaulted and
// validated together, and every problem is reported at once.
import { Type, type Static } from '@sinclair/typebox';
import { BaseConfig, Port, loadConfig as loadChecked } from '@minishop/kit/config';

export const ConfigSchema = Type.Object({
  ...BaseConfig,
  SMTP_PORT: Port(1025),
  HTTP_PORT: Port(8025),
  MAX_MESSAGES: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    default: 5000,
    description: 'the newest are kept',
  }),
  MAX_MESSAGE_BYTES: Type.Integer({
    minimum: 1024,
    default: 10 * 1024 * 1024,
    description: 'larger mail is refused',
  }),
});

export type Config = Static<typeof ConfigSchema>;

/** Reads the configuration from env; throws the kit's ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return loadChecked(ConfigSchema, env);
}
