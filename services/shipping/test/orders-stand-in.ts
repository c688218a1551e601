// A tiny real Orders for shipping tests: accepts POST /orders/{id}/shipment-events from callers
// holding a service token with orders:update, records every event it accepts, and can be taken
// down (connections refused) or made to fail with 503 and brought back.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenVerifier } from '@minishop/kit/jwt';

export interface ReceivedEvent {
  order_id: string;
  event_id: string;
  shipment_id: string;
  status: string;
}

export interface OrdersStandIn {
  url: string;
  received: ReceivedEvent[];
  /** Requests refused while failing (answered 503). */
  refused: number;
  /** Stops listening: callers get connection errors. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  failing(on: boolean): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

export async function startOrdersStandIn(tokens: TokenVerifier): Promise<OrdersStandIn> {
  let failing = false;
  const state: OrdersStandIn = {
    url: '',
    received: [],
    refused: 0,
    down: async () => {},
    up: async () => {},
    failing: (on) => {
      failing = on;
    },
    close: async () => {},
  };

  const server: Server = createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const match = /^\/orders\/([^/]+)\/shipment-events$/.exec(req.url ?? '');
    const text = await readBody(req);
    if (req.method !== 'POST' || !match) return reply(404, { status: 404 });
    if (failing) {
      state.refused += 1;
      return reply(503, { status: 503 });
    }
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    try {
      const claims = await tokens.verify(token ?? '');
      if (claims.role !== 'service' || !(claims.scope ?? '').split(' ').includes('orders:update')) {
        return reply(403, { status: 403 });
      }
    } catch {
      return reply(401, { status: 401 });
    }
    const body = JSON.parse(text) as Omit<ReceivedEvent, 'order_id'>;
    state.received.push({ order_id: decodeURIComponent(match[1] ?? ''), ...body });
    reply(202, { message: 'event accepted' });
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });

  await listen(0);
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.down = stop;
  state.up = () => listen(port);
  state.close = async () => {
    if (server.listening) await stop();
  };
  return state;
}
