import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpActivity, requestsPerCheckout } from '../http-stats.ts';

const line = (method: string, route: string, status: number, count: number) =>
  `minishop_http_request_duration_seconds_count{method="${method}",route="${route}",status_code="${status}",service="cart"} ${count}`;

describe('HTTP requests per checkout', () => {
  let metrics = '';
  let server: http.Server;
  let url = '';
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end(metrics));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('divides the requests answered between two readings by the checkouts, summing status codes', async () => {
    metrics = [
      '# HELP minishop_http_request_duration_seconds HTTP request latency by route',
      line('POST', '/cart/items', 201, 10),
      line('GET', '/cart/internal/:user_id', 200, 4),
      line('DELETE', '/cart/internal/:user_id', 200, 3),
      'minishop_http_request_duration_seconds_sum{method="POST",route="/cart/items",status_code="201",service="cart"} 0.5',
    ].join('\n');
    const before = await httpActivity({ cart: url, gone: 'http://127.0.0.1:1' });
    metrics = [
      line('POST', '/cart/items', 201, 208),
      line('POST', '/cart/items', 409, 2),
      line('GET', '/cart/internal/:user_id', 200, 204),
      line('DELETE', '/cart/internal/:user_id', 200, 4),
    ].join('\n');
    const after = await httpActivity({ cart: url });
    expect(requestsPerCheckout(before, after, 200)).toEqual({
      'cart POST /cart/items': 1,
      'cart GET /cart/internal/:user_id': 1,
    });
  });
});
