// A body over the gateway's 1 MiB limit, sent over a real socket the way a client uploads it:
// the client must be able to read the 413 problem, not meet a reset or a broken pipe.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer } from '@minishop/kit/testing';
import { startEchoService, startGateway, type RunningGateway, type StandIn } from './gateway-fixture.ts';

const issuer = createTestIssuer();
let catalog: StandIn;
let gateway: RunningGateway;

beforeAll(async () => {
  catalog = await startEchoService('catalog');
  gateway = await startGateway(issuer.verifier, { CATALOG_URL: catalog.url });
});
afterAll(async () => {
  await gateway?.close();
  await catalog?.close();
});

interface Outcome {
  /** Everything the client read, or the socket error it met before any answer. */
  answer: string;
  error?: string;
  /** Bytes of body the client sent. */
  sent: number;
}

/**
 * Writes the request head and `size` bytes of body in 64 KiB chunks and reads the answer only
 * then (or once the server stops taking the body), as most clients do. A server that closes the
 * connection with unread body bytes sends a reset, which discards an answer not read yet. With
 * `expectContinue`, the client first waits for "100 Continue" (or a final answer, and then sends
 * no body), as curl does for large bodies.
 */
function upload(
  path: string,
  size: number,
  options: { headers?: Record<string, string>; expectContinue?: boolean } = {},
): Promise<Outcome> {
  const url = new URL(gateway.url);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let answer = '';
    let settled = false;
    let sending = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({
        answer,
        sent,
        ...(error && !answer ? { error: (error as { code?: string }).code ?? error.message } : {}),
      });
    };
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    // A server that stops reading leaves the client blocked on a full buffer: then it reads.
    let stalled: NodeJS.Timeout | undefined;
    const pump = () => {
      clearTimeout(stalled);
      socket.pause();
      while (sent < size && !settled) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        if (!socket.write(part)) {
          socket.once('drain', pump);
          stalled = setTimeout(() => socket.resume(), 2_000);
          return;
        }
      }
      socket.resume();
    };
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (!sending && /^HTTP\/1\.1 100 [^\r]*\r\n\r\n/.test(answer)) {
        answer = answer.slice(answer.indexOf('\r\n\r\n') + 4);
        sending = true;
        pump();
      }
      // The whole answer is in once its body is as long as it says.
      const [head, body = ''] = answer.split('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(head ?? '')?.[1];
      if (length !== undefined && Buffer.byteLength(body, 'latin1') >= Number(length)) finish();
    });
    socket.on('error', finish);
    socket.on('close', () => finish());
    socket.on('connect', () => {
      const head = [
        `POST ${path} HTTP/1.1`,
        `Host: ${url.host}`,
        'Content-Type: application/json',
        `Content-Length: ${size}`,
        ...(options.expectContinue ? ['Expect: 100-continue'] : []),
        ...Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
        '',
        '',
      ].join('\r\n');
      socket.write(head);
      if (options.expectContinue) return;
      sending = true;
      pump();
    });
  });
}

function statusAndBody(outcome: Outcome): {
  status: number;
  contentType: string;
  body: Record<string, unknown>;
} {
  const [head = '', body = ''] = outcome.answer.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  const contentType = /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '';
  return { status, contentType, body: body ? (JSON.parse(body) as Record<string, unknown>) : {} };
}

describe('a body over the limit', () => {
  it.each([
    ['a public write', '/catalog/products/lookup', {}, false],
    ['a public write after 100-continue', '/catalog/products/lookup', {}, true],
    ['a protected write', '/catalog/products', { authorization: `Bearer ${issuer.admin().token}` }, false],
    [
      'a protected write after 100-continue',
      '/catalog/products',
      { authorization: `Bearer ${issuer.admin().token}` },
      true,
    ],
    ['a protected write without a token', '/orders', {}, false],
    ['a protected write without a token, 100-continue', '/orders', {}, true],
  ])(
    'gets an answer the client can read (3 MB, %s), every time',
    async (_name, path, headers, expectContinue) => {
      for (let attempt = 0; attempt < 8; attempt += 1) {
        const outcome = await upload(path, 3 * 1024 * 1024, { headers, expectContinue });
        expect(outcome.error, `attempt ${attempt}`).toBeUndefined();
        const answer = statusAndBody(outcome);
        expect(answer.status, `attempt ${attempt}: ${outcome.answer.slice(0, 200)}`).toBe(
          path === '/orders' ? 401 : 413,
        );
        expect(answer.contentType).toContain('application/problem+json');
        expect(answer.body).toMatchObject({ status: answer.status });
        // A client that asked first is told before it sends the body it announced.
        if (expectContinue && answer.status === 413) expect(outcome.sent, `attempt ${attempt}`).toBe(0);
      }
    },
  );

  it('leaves a body just under the limit alone', async () => {
    for (const expectContinue of [false, true]) {
      const outcome = await upload('/catalog/products/lookup', 1024 * 1024 - 10, {
        expectContinue,
        headers: { connection: 'close' },
      });
      expect(outcome.answer).toMatch(/^HTTP\/1\.1 200 /);
    }
  });
});
