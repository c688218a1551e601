import net from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { assertPortFree, freePort, isPortFree } from '../src/free-port.ts';
import { ensureDatabase } from '../src/postgres.ts';
import { startRedis } from '../src/redis.ts';
import { testDatabaseUrl, testRedisUrl } from '../src/testing.ts';

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function redisCommand(url: string, ...args: string[]): Promise<string> {
  const { hostname, port } = new URL(url);
  const payload = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    let answer = '';
    socket.once('error', reject);
    socket.once('connect', () => socket.write(payload));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.endsWith('\r\n') && (!answer.startsWith('$') || answer.split('\r\n').length >= 3)) {
        socket.destroy();
        resolve(answer);
      }
    });
  });
}

describe('test databases', () => {
  it('gives each call a fresh, empty database that accepts tables and rows', async () => {
    const first = await testDatabaseUrl('devstack');
    const second = await testDatabaseUrl('devstack');
    expect(first).not.toEqual(second);

    await withClient(first, async (client) => {
      await client.query('CREATE TABLE product (id serial PRIMARY KEY, name text NOT NULL)');
      await client.query("INSERT INTO product (name) VALUES ('Espresso cup')");
      const { rows } = await client.query('SELECT name FROM product');
      expect(rows).toEqual([{ name: 'Espresso cup' }]);
    });
    await withClient(second, async (client) => {
      const { rows } = await client.query(
        "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'product'",
      );
      expect(rows[0].n).toBe(0);
    });
  });

  it('creates a named database once even when many callers race for it', async () => {
    const url = await testDatabaseUrl('race');
    const name = `${new URL(url).pathname.slice(1)}_same`;
    const admin = new URL(url);
    admin.pathname = '/postgres';
    const urls = await Promise.all(Array.from({ length: 8 }, () => ensureDatabase(admin.toString(), name)));
    expect(new Set(urls).size).toBe(1);
    await withClient(urls[0]!, async (client) => {
      const { rows } = await client.query('SELECT current_database() AS db');
      expect(rows[0].db).toBe(name);
    });
  });

  // A DATABASE_URL given from outside is used as it is.
  it.skipIf(process.env.DATABASE_URL)(
    'reaches the embedded server over its Unix socket, and over loopback TCP on its port',
    async () => {
      const url = await testDatabaseUrl('socket');
      const socketDir = new URL(url).searchParams.get('host');
      expect(socketDir).toMatch(/pgdata$/);
      await withClient(url, async (client) => {
        const { rows } = await client.query('SELECT inet_server_addr() AS addr');
        // A connection through a Unix socket has no server address.
        expect(rows[0].addr).toBeNull();
      });
      const tcp = new URL(url);
      tcp.searchParams.delete('host');
      await withClient(tcp.toString(), async (client) => {
        const { rows } = await client.query('SELECT host(inet_server_addr()) AS addr');
        expect(rows[0].addr).toBe('127.0.0.1');
      });
    },
  );

  it('rejects database names that are not plain identifiers', async () => {
    const admin = new URL(await testDatabaseUrl('names'));
    await expect(ensureDatabase(admin.toString(), 'x"; DROP DATABASE postgres; --')).rejects.toThrow(
      /invalid database name/,
    );
  });
});

describe('test redis', () => {
  it('answers PING and keeps a value', async () => {
    const url = testRedisUrl();
    expect(await redisCommand(url, 'PING')).toBe('+PONG\r\n');
    const key = `devstack:test:${Math.random().toString(36).slice(2)}`;
    expect(await redisCommand(url, 'SET', key, 'kept', 'EX', '60')).toBe('+OK\r\n');
    expect(await redisCommand(url, 'GET', key)).toBe('$4\r\nkept\r\n');
  });
});

describe('a machine without redis-server', () => {
  it('explains how to get Redis', async () => {
    const saved = { PATH: process.env.PATH, REDIS_URL: process.env.REDIS_URL };
    process.env.PATH = '/nonexistent';
    delete process.env.REDIS_URL;
    try {
      await expect(startRedis()).rejects.toThrow(
        /apt-get install redis-server.*brew install redis.*REDIS_URL/,
      );
    } finally {
      process.env.PATH = saved.PATH;
      if (saved.REDIS_URL !== undefined) process.env.REDIS_URL = saved.REDIS_URL;
    }
  });
});

describe('ports', () => {
  it('reports a port that someone listens on as taken, naming it', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      expect(await isPortFree(port)).toBe(false);
      await expect(assertPortFree(port, 'the gateway')).rejects.toThrow(
        new RegExp(`Port ${port}.*the gateway`),
      );
    } finally {
      server.close();
    }
    expect(await isPortFree(await freePort())).toBe(true);
  });
});
