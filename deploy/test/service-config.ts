// What each service reads from its environment, taken from the code (the ConfigSchema that
// services/<name>/src/config.ts exports) or, while that file does not exist yet, from the
// contract fixture; and the check that a deployment's environment matches it.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTRACT } from './fixtures/config-contract.ts';
import { ROOT } from './manifests.ts';

export interface EnvVar {
  required: boolean;
  default?: unknown;
}
export interface ServiceConfig {
  name: string;
  source: 'code' | 'contract';
  port: number;
  vars: Map<string, EnvVar>;
}

interface SchemaLike {
  properties: Record<string, { default?: unknown }>;
  required?: string[];
}

export const SERVICE_NAMES = readdirSync(path.join(ROOT, 'services'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(ROOT, 'services', d.name, 'package.json')))
  .map((d) => d.name)
  .sort();

/** Loads the config of services/<name> (or tools/<name> with dir 'tools'). */
export async function loadServiceConfig(
  name: string,
  dir: 'services' | 'tools' = 'services',
): Promise<ServiceConfig> {
  const file = path.join(ROOT, dir, name, 'src', 'config.ts');
  if (existsSync(file)) {
    const module = (await import(pathToFileURL(file).href)) as { ConfigSchema?: SchemaLike };
    const schema = module.ConfigSchema;
    if (!schema?.properties) throw new Error(`${dir}/${name}/src/config.ts does not export ConfigSchema`);
    const requiredNames = new Set(schema.required ?? []);
    const vars = new Map<string, EnvVar>(
      Object.entries(schema.properties).map(([key, prop]) => [
        key,
        { required: requiredNames.has(key) && !('default' in prop), default: prop.default },
      ]),
    );
    const port = Number(schema.properties.PORT?.default ?? schema.properties.HTTP_PORT?.default);
    return { name, source: 'code', port, vars };
  }
  const contract = CONTRACT[name];
  if (!contract) throw new Error(`${dir}/${name} has no src/config.ts and no entry in the contract fixture`);
  return { name, source: 'contract', port: contract.port, vars: new Map(Object.entries(contract.vars)) };
}

const LOOPBACK = /127\.0\.0\.1|localhost|\[::1\]|::1\//;

/**
 * Problems with the environment a container gets: a variable the service does not read, a
 * required one missing, one left at a default that points at the container itself, a HOST
 * that is not 0.0.0.0 or a PORT other than the service's port.
 */
export function environmentProblems(
  config: ServiceConfig,
  env: Record<string, string | undefined>,
): string[] {
  const problems: string[] = [];
  const where = `${config.name} (${config.source === 'code' ? 'ConfigSchema' : 'contract fixture'})`;
  for (const name of Object.keys(env)) {
    if (!config.vars.has(name)) problems.push(`sets ${name}, which ${where} does not read`);
  }
  for (const [name, v] of config.vars) {
    const set = env[name] !== undefined;
    if (v.required && !set) problems.push(`does not set ${name}, which ${where} requires`);
    if (!set && name !== 'HOST' && typeof v.default === 'string' && LOOPBACK.test(v.default)) {
      problems.push(`leaves ${name} at its default ${v.default}, which points inside the container`);
    }
  }
  if (config.vars.has('HOST') && env.HOST !== '0.0.0.0')
    problems.push(`HOST is ${env.HOST ?? 'unset'}, not 0.0.0.0`);
  if (env.PORT !== undefined && Number(env.PORT) !== config.port) {
    problems.push(`PORT is ${env.PORT}, but ${config.name} listens on ${config.port}`);
  }
  return problems;
}
