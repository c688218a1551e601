import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SERVICE_CLIENT_SCOPES } from '../src/components.ts';
import { startStack, type RunningStack, type StackEvent } from '../src/stack.ts';

// Stand-ins for the real processes: each answers /readyz (on its management port, when it has
// one), reports the environment it was given and whether Auth was already up when it started, and
// can be told to die.
const STAND_IN = `
import http from 'node:http';
import net from 'node:net';
let authWasReady = null;
if (process.env.AUTH_URL && process.env.SERVICE_NAME !== 'auth') {
  authWasReady = await fetch(process.env.AUTH_URL + '/env').then((r) => r.ok, () => false);
}
// Services answer probes on their management port only; the simulators have just the one port.
const probes = (management) => (req, res) => {
  if (management && req.url === '/readyz') return res.end('ok');
  if (management && req.url === '/healthz') return res.end(JSON.stringify({ status: 'ok', service: process.env.SERVICE_NAME }));
  if (req.url === '/env') return res.end(JSON.stringify({ env: process.env, authWasReady }));
  if (req.url === '/die') { res.end(); setTimeout(() => process.exit(3), 10); return; }
  res.statusCode = 404;
  res.end();
};
const server = http.createServer(probes(!process.env.MANAGEMENT_PORT));
server.listen(Number(process.env.PORT ?? process.env.HTTP_PORT), process.env.HOST);
if (process.env.MANAGEMENT_PORT) http.createServer(probes(true)).listen(Number(process.env.MANAGEMENT_PORT), process.env.HOST);
if (process.env.SMTP_PORT && process.env.HTTP_PORT) net.createServer((s) => { s.on('error', () => {}); s.end('220 ok\\r\\n'); }).listen(Number(process.env.SMTP_PORT), process.env.HOST);
console.log(JSON.stringify({ level: 30, time: Date.now(), msg: 'listening' }));
process.on('SIGTERM', () => { console.log('stopping on SIGTERM'); process.exit(0); });
`;

const COMPONENTS = [
  'services/auth',
  'services/catalog',
  'services/orders',
  'services/gateway',
  'tools/payment-provider',
  'tools/mail-sink',
];

// A web app whose build writes what the real one does, enough for the launcher to serve it.
const WEB_BUILD = `
import fs from 'node:fs';
fs.mkdirSync('dist/assets', { recursive: true });
fs.writeFileSync('dist/index.html', '<!doctype html><title>shop</title>');
fs.writeFileSync('dist/routes.json', '["/"]');
`;

async function makeRoot(options: { web?: boolean } = {}): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'minishop-launcher-'));
  if (options.web) {
    await fs.mkdir(path.join(root, 'web'));
    await fs.writeFile(
      path.join(root, 'web', 'package.json'),
      JSON.stringify({ name: 'web', private: true, scripts: { build: 'node build.mjs' } }),
    );
    await fs.writeFile(path.join(root, 'web', 'build.mjs'), WEB_BUILD);
  }
  for (const component of COMPONENTS) {
    const dir = path.join(root, component, 'src');
    await fs.mkdir(dir, { recursive: true });
    const name = path.basename(component);
    await fs.writeFile(path.join(dir, 'main.ts'), `process.env.SERVICE_NAME = '${name}';\n${STAND_IN}`);
  }
  return root;
}

async function envOf(url: string): Promise<{ env: Record<string, string>; authWasReady: boolean | null }> {
  return (await fetch(`${url}/env`)).json() as Promise<{
    env: Record<string, string>;
    authWasReady: boolean | null;
  }>;
}

function stackOptions(root: string, dataDir: string, lines: string[]) {
  return {
    root,
    dataDir,
    ports: 'free' as const,
    seed: false,
    databaseUrl: inject('pgAdminUrl'),
    redisUrl: inject('redisUrl'),
    databasePrefix: `launcher_t${inject('devstackRunId')}_${randomBytes(3).toString('hex')}_`,
    print: (line: string) => lines.push(line),
  };
}

describe('the stack', () => {
  let root: string;
  let dataDir: string;
  let stack: RunningStack;
  const lines: string[] = [];

  beforeAll(async () => {
    root = await makeRoot({ web: true });
    dataDir = path.join(root, '.minishop');
    stack = await startStack(stackOptions(root, dataDir, lines));
  });
  afterAll(async () => {
    await stack?.stop();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('starts every component that exists and names the ones that do not', () => {
    expect(stack.started.sort()).toEqual(
      ['auth', 'catalog', 'gateway', 'mail-sink', 'orders', 'payment-provider'].sort(),
    );
    expect(stack.missing.sort()).toEqual(['cart', 'notifications', 'payments', 'shipping']);
    expect(lines.some((l) => l.includes('cart: skipped'))).toBe(true);
  });

  it('starts Auth before the services that depend on it', async () => {
    expect((await envOf(stack.urls.services.catalog)).authWasReady).toBe(true);
    expect((await envOf(stack.urls.services.orders)).authWasReady).toBe(true);
    expect((await envOf(stack.urls.gateway)).authWasReady).toBe(true);
  });

  it('gives each database service its own existing database', async () => {
    const catalog = (await envOf(stack.urls.services.catalog)).env.DATABASE_URL!;
    const orders = (await envOf(stack.urls.services.orders)).env.DATABASE_URL!;
    expect(catalog).not.toEqual(orders);
    const client = new pg.Client({ connectionString: catalog });
    await client.connect();
    const { rows } = await client.query('SELECT current_database() AS name');
    await client.end();
    expect(rows[0].name).toMatch(/_catalog$/);
  });

  it('registers the service clients in Auth with the secrets the services use', async () => {
    const auth = (await envOf(stack.urls.services.auth)).env;
    const orders = (await envOf(stack.urls.services.orders)).env;
    const clients = JSON.parse(auth.SERVICE_CLIENTS!) as Array<{
      client_id: string;
      client_secret: string;
      scopes: string[];
    }>;
    expect(clients.map((c) => c.client_id).sort()).toEqual(Object.keys(SERVICE_CLIENT_SCOPES).sort());
    const ordersClient = clients.find((c) => c.client_id === 'orders')!;
    expect(orders.SERVICE_CLIENT_ID).toBe('orders');
    expect(orders.SERVICE_CLIENT_SECRET).toBe(ordersClient.client_secret);
    expect(ordersClient.scopes).toContain('catalog:reserve');
    expect(auth.MINISHOP_ADMIN_EMAIL).toBe('admin@minishop.local');
    expect(auth.REDIS_URL).toBe(inject('redisUrl'));
  });

  it('points the gateway and the simulators at the right ports', async () => {
    const gateway = (await envOf(stack.urls.gateway)).env;
    expect(gateway.PORT).toBe(String(stack.ports.gateway));
    expect(gateway.MANAGEMENT_PORT).toBe(String(stack.ports.gatewayManagement));
    expect((await fetch(`${stack.urls.management.gateway}/readyz`)).status).toBe(200);
    expect(gateway.CATALOG_URL).toBe(stack.urls.services.catalog);
    expect(gateway.ORDERS_URL).toBe(stack.urls.services.orders);
    const provider = (await envOf(stack.urls.paymentProvider)).env;
    expect(provider.PROVIDER_SECRET_KEY).toBe(stack.secrets.paymentProviderSecretKey);
    expect(provider.PROVIDER_WEBHOOK_URL).toBe(`${stack.urls.services.payments}/payments/webhooks/provider`);
    const mail = (await envOf(stack.urls.mailUi)).env;
    expect(mail.SMTP_PORT).toBe(String(stack.ports.mailSmtp));
  });

  it('builds the web app before the gateway starts and tells the gateway where it is', async () => {
    expect(stack.web).toMatchObject({ status: 'built' });
    const gateway = (await envOf(stack.urls.gateway)).env;
    expect(gateway.WEB_ROOT).toBe(path.join(root, 'web', 'dist'));
    await expect(fs.readFile(path.join(gateway.WEB_ROOT!, 'index.html'), 'utf8')).resolves.toContain('shop');
  });

  it('gives the payment simulator a state file in the data directory', async () => {
    const provider = (await envOf(stack.urls.paymentProvider)).env;
    expect(provider.PROVIDER_STATE_FILE).toBe(path.join(dataDir, 'payment-provider.json'));
  });

  it('prefixes each process’s output with its name', () => {
    expect(lines.some((l) => /^catalog\s+\| .*INFO\s+listening/.test(l))).toBe(true);
  });
});

describe('a stack whose process dies', () => {
  it('reports which process exited and stops the rest', async () => {
    const root = await makeRoot();
    const lines: string[] = [];
    const stack = await startStack(stackOptions(root, path.join(root, '.minishop'), lines));
    try {
      await fetch(`${stack.urls.services.catalog}/die`);
      const exit = await stack.exited;
      expect(exit).toMatchObject({ name: 'catalog', code: 3 });
    } finally {
      await stack.stop();
      await fs.rm(root, { recursive: true, force: true });
    }
    await expect(fetch(`${stack.urls.management.gateway}/readyz`)).rejects.toThrow();
    expect(lines.some((l) => /^gateway\s+\| stopping on SIGTERM/.test(l))).toBe(true);
  });
});

describe('a stack whose processes a caller kills, freezes and restarts', () => {
  let root: string;
  let stack: RunningStack;
  const events: StackEvent[] = [];

  beforeAll(async () => {
    root = await makeRoot();
    stack = await startStack(stackOptions(root, path.join(root, '.minishop'), []));
    stack.subscribe((event) => events.push(event));
  });
  afterAll(async () => {
    await stack?.stop();
    await fs.rm(root, { recursive: true, force: true });
  });

  const answers = (url: string) =>
    fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );

  it('kills a process now, reports the exit as expected, and keeps it down until restarted', async () => {
    const pid = stack.pid('catalog');
    await stack.kill('catalog');
    expect(events.find((e) => e.type === 'exit' && e.name === 'catalog')).toMatchObject({
      pid,
      signal: 'SIGKILL',
      expected: true,
    });
    expect(stack.isRunning('catalog')).toBe(false);
    expect(await answers(stack.urls.management.catalog)).toBe(false);

    await stack.restart('catalog');
    const started = events.filter((e) => e.name === 'catalog' && e.type !== 'exit');
    expect(started.map((e) => e.type)).toEqual(['start', 'ready']);
    expect(started[0]).toMatchObject({ restart: true });
    expect(stack.pid('catalog')).not.toBe(pid);
    expect(await answers(stack.urls.management.catalog)).toBe(true);
  });

  it('freezes a process so that it answers nothing, and resumes it', async () => {
    stack.freeze('orders');
    expect(await answers(stack.urls.management.orders)).toBe(false);
    expect(stack.isRunning('orders')).toBe(true);
    stack.resume('orders');
    expect(await answers(stack.urls.management.orders)).toBe(true);
    expect(events.filter((e) => e.name === 'orders').map((e) => e.type)).toEqual(['freeze', 'resume']);
  });

  it('restarts a frozen process', async () => {
    stack.freeze('auth');
    const pid = stack.pid('auth');
    await stack.restart('auth', { kill: true });
    expect(stack.pid('auth')).not.toBe(pid);
    expect(await answers(stack.urls.management.auth)).toBe(true);
  });

  it('reports an exit nobody asked for as unexpected, and only that one resolves `exited`', async () => {
    await fetch(`${stack.urls.services.orders}/die`);
    const exit = await stack.exited;
    expect(exit).toMatchObject({ name: 'orders', code: 3 });
    expect(events.find((e) => e.type === 'exit' && e.name === 'orders')).toMatchObject({ expected: false });
  });
});

describe('a port that is taken', () => {
  it('fails before starting anything, naming the port and the component', async () => {
    const root = await makeRoot();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const options = { ...stackOptions(root, path.join(root, '.minishop'), []), ports: { gateway: port } };
      await expect(startStack(options)).rejects.toThrow(new RegExp(`${port}.*gateway`));
    } finally {
      blocker.close();
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
