// What the benchmark needs in the shop before it measures: customers with tokens and products,
// made through the gateway's public API as a client would.
import type { ShopUser } from './jobs.ts';
import { PASSWORD } from './settings.ts';

export async function api<T>(
  base: string,
  method: string,
  url: string,
  options: { token?: string; body?: unknown; expect?: number[] } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const expect = options.expect ?? [200, 201];
  if (!expect.includes(response.status)) {
    throw new Error(`${method} ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as T,
    headers: response.headers,
  };
}

export async function login(gateway: string, username: string, password: string): Promise<string> {
  const { body } = await api<{ access_token: string }>(gateway, 'POST', '/auth/login', {
    body: { username, password },
  });
  return body.access_token;
}

export async function registerUsers(
  gateway: string,
  runId: string,
  prefix: string,
  n: number,
): Promise<ShopUser[]> {
  const users: ShopUser[] = [];
  const make = async (i: number) => {
    const username = `${prefix}_${runId}_${i}`;
    const email = `${prefix}-${runId}-${i}@bench.minishop.test`;
    await api(gateway, 'POST', '/auth/register', { body: { username, email, password: PASSWORD } });
    users[i] = { email, token: await login(gateway, username, PASSWORD) };
  };
  for (let i = 0; i < n; i += 4) {
    await Promise.all(Array.from({ length: Math.min(4, n - i) }, (_, k) => make(i + k)));
  }
  return users;
}

export async function createProduct(
  gateway: string,
  token: string,
  name: string,
  price: string,
  stock: number,
) {
  const { body } = await api<{ id: string }>(gateway, 'POST', '/catalog/products', {
    token,
    body: { name, description: 'Created by the benchmark.', price, stock },
  });
  return body.id;
}
