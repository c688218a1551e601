// compose.yaml cannot be started here (no container engine), so it is checked against what the
// code reads: every service and simulator it runs, their variables and ports.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, readYaml } from './manifests.ts';
import {
  SERVICE_NAMES,
  environmentProblems,
  loadServiceConfig,
  type ServiceConfig,
} from './service-config.ts';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string | number>;
  expose?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

const compose = readYaml<ComposeFile>(path.join(ROOT, 'compose.yaml'));
const services = compose.services;

/** Workspace a compose service is built from: services/<SERVICE> or tools/<SERVICE>. */
function workspaceOf(service: ComposeService): { dir: 'services' | 'tools'; name: string } | undefined {
  const name = service.build?.args?.SERVICE;
  if (!name) return undefined;
  return existsSync(path.join(ROOT, 'services', name)) ? { dir: 'services', name } : { dir: 'tools', name };
}

function environmentOf(service: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));
}

const configs = new Map<string, ServiceConfig>();
beforeAll(async () => {
  for (const service of Object.values(services)) {
    const ws = workspaceOf(service);
    if (ws && !configs.has(ws.name)) configs.set(ws.name, await loadServiceConfig(ws.name, ws.dir));
  }
});

describe('compose.yaml', () => {
  it('runs every service of the repository under its own name', () => {
    const missing = SERVICE_NAMES.filter((name) => workspaceOf(services[name] ?? {})?.name !== name);
    expect(missing).toEqual([]);
  });

  it('builds only workspaces that exist, all from deploy/Dockerfile', () => {
    const problems: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      if (!service.build) continue;
      const ws = workspaceOf(service);
      if (!ws || !existsSync(path.join(ROOT, ws.dir, ws.name, 'package.json')))
        problems.push(`${name}: no workspace`);
      if (service.build.dockerfile !== 'deploy/Dockerfile' || service.build.context !== '.') {
        problems.push(`${name}: built from ${service.build.context} ${service.build.dockerfile}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives every container exactly the variables its code reads, with every required one set', () => {
    const problems: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      const ws = workspaceOf(service);
      if (!ws) continue;
      const config = configs.get(ws.name)!;
      for (const p of environmentProblems(config, environmentOf(service))) problems.push(`${name}: ${p}`);
    }
    expect(problems).toEqual([]);
  });

  it('exposes each service on the port its code listens on, and publishes only the gateway and the mail UI', () => {
    const problems: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      const ws = workspaceOf(service);
      if (!ws || service.command) continue;
      const port = String(configs.get(ws.name)!.port);
      const containerPorts = [
        ...(service.expose ?? []),
        ...(service.ports ?? []).map((p) => p.split(':').at(-1)),
      ];
      if (!containerPorts.includes(port)) problems.push(`${name}: ports ${containerPorts} lack ${port}`);
    }
    const published = Object.entries(services).flatMap(([name, s]) =>
      (s.ports ?? []).map((p) => `${name} ${p}`),
    );
    expect(problems).toEqual([]);
    expect(published.sort()).toEqual(['gateway 8080:8080', 'mailpit 8025:8025']);
  });

  it('addresses every other service by its compose name and port', () => {
    const problems: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(environmentOf(service))) {
        // PUBLIC_URL is the shop as a browser reaches it (the published gateway), not a container.
        if (!/_URL$/.test(key) || /^(DATABASE|REDIS|PUBLIC)_URL$/.test(key)) continue;
        const url = new URL(value);
        const target = services[url.hostname];
        const targetWs = target && workspaceOf(target);
        if (!targetWs) {
          problems.push(`${name}: ${key} points at ${url.hostname}, which compose does not run`);
          continue;
        }
        const port = configs.get(targetWs.name)!.port;
        if (Number(url.port) !== port)
          problems.push(`${name}: ${key} uses port ${url.port}, ${url.hostname} is on ${port}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('connects each service to its own database on the shared PostgreSQL, and to Redis', () => {
    const problems: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      const env = environmentOf(service);
      const ws = workspaceOf(service);
      if (env.DATABASE_URL && ws) {
        const url = new URL(env.DATABASE_URL);
        if (url.hostname !== 'postgres' || url.pathname !== `/${ws.name}` || url.username !== ws.name) {
          problems.push(`${name}: DATABASE_URL ${env.DATABASE_URL} is not its own database`);
        }
      }
      if (env.REDIS_URL && new URL(env.REDIS_URL).hostname !== 'redis')
        problems.push(`${name}: REDIS_URL elsewhere`);
    }
    expect(problems).toEqual([]);
  });

  it('runs each database service only after its migrations have succeeded', () => {
    const problems: string[] = [];
    for (const name of SERVICE_NAMES) {
      const service = services[name]!;
      if (!environmentOf(service).DATABASE_URL) continue;
      const migration = services[`${name}-migrate`];
      if (!migration) {
        problems.push(`${name}: no ${name}-migrate service`);
        continue;
      }
      if (migration.command?.join(' ') !== `node services/${name}/src/migrate.ts`) {
        problems.push(`${name}-migrate runs ${migration.command?.join(' ')}`);
      }
      if (
        !existsSync(path.join(ROOT, 'services', name, 'src', 'migrate.ts')) &&
        configs.get(name)!.source === 'code'
      ) {
        problems.push(`${name}: services/${name}/src/migrate.ts does not exist`);
      }
      if (service.depends_on?.[`${name}-migrate`]?.condition !== 'service_completed_successfully') {
        problems.push(`${name} does not wait for ${name}-migrate`);
      }
      if (migration.depends_on?.postgres?.condition !== 'service_healthy')
        problems.push(`${name}-migrate: no wait`);
    }
    expect(problems).toEqual([]);
  });

  it('creates one database per database service when PostgreSQL initialises', () => {
    const init = services.postgres?.['volumes' as keyof ComposeService] as unknown as string[];
    const script = init.find((v) => v.includes('docker-entrypoint-initdb.d'))!.split(':')[0]!;
    const sql = readFileSync(path.join(ROOT, script), 'utf8');
    const dbServices = SERVICE_NAMES.filter((n) => environmentOf(services[n]!).DATABASE_URL);
    for (const name of dbServices) expect(sql).toContain(`CREATE DATABASE ${name} OWNER ${name};`);
  });

  it('runs the shop containers read-only, without capabilities, and pins every image', () => {
    const problems: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      if (service.build) {
        if (!service.read_only || !service.tmpfs?.includes('/tmp'))
          problems.push(`${name}: root filesystem writable`);
        if (!service.cap_drop?.includes('ALL')) problems.push(`${name}: keeps capabilities`);
      } else if (!/:[\w.-]+$/.test(service.image ?? '') || /:latest$/.test(service.image ?? '')) {
        problems.push(`${name}: image ${service.image} is not pinned`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('registers in auth the service clients that other services log in with', () => {
    const clients = JSON.parse(environmentOf(services.auth!).SERVICE_CLIENTS ?? '[]') as Array<{
      client_id: string;
      client_secret: string;
    }>;
    for (const [name, service] of Object.entries(services)) {
      const env = environmentOf(service);
      if (!env.SERVICE_CLIENT_ID) continue;
      const client = clients.find((c) => c.client_id === env.SERVICE_CLIENT_ID);
      expect(client?.client_secret, `${name}'s client in auth`).toBe(env.SERVICE_CLIENT_SECRET);
    }
    const payments = environmentOf(services.payments!);
    const provider = environmentOf(services['payment-provider']!);
    expect(payments.PAYMENT_PROVIDER_SECRET_KEY).toBe(provider.PROVIDER_SECRET_KEY);
    expect(payments.PAYMENT_WEBHOOK_SECRET).toBe(provider.PROVIDER_WEBHOOK_SECRET);
  });
});
