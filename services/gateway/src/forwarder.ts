// Forwards a request to one service over pooled keep-alive connections (undici's dispatcher,
// driven directly: no stream or promise per request) and writes the service's answer to the
// client. Small answers, the usual JSON, are collected and sent in one write together with their
// headers; larger or unsized ones are streamed with backpressure.
import { PassThrough } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import type { FastifyReply } from 'fastify';

type Headers = Record<string, string | string[]>;

export interface ForwardRequest {
  method: string;
  /** Path and query, as received. */
  path: string;
  headers: Headers;
  body: Buffer | null;
}

export interface BufferedAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface ForwardHooks {
  /** A complete small answer, just before it is sent. */
  onAnswer?(answer: BufferedAnswer): void;
  /** The service could not be reached or did not answer in time; nothing has been sent yet. */
  onFailure(reply: FastifyReply, timedOut: boolean, error: Error): void;
}

export interface Forwarder {
  forward(request: ForwardRequest, reply: FastifyReply, hooks: ForwardHooks): void;
  close(): Promise<void>;
}

/** Answers up to this size are buffered; the cache only keeps buffered answers. */
const BUFFERED_ANSWER_BYTES = 256 * 1024;

// Hop-by-hop headers describe one connection, not the message: never passed on either way.
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
  'transfer-encoding',
  'expect',
  'host',
  'content-length',
]);

const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
// A keep-alive connection the service closed just as it was reused.
const STALE_SOCKET_CODES: ReadonlySet<string> = new Set(['UND_ERR_SOCKET', 'ECONNRESET']);

function codeOf(error: Error): string {
  return (error as { code?: string }).code ?? '';
}

function isTimeout(error: Error): boolean {
  return TIMEOUT_CODES.has(codeOf(error)) || TIMEOUT_CODES.has(codeOf((error.cause ?? {}) as Error));
}

function answerHeaders(from: Headers, keepLength: boolean): Headers {
  const out: Headers = {};
  for (const name in from) {
    if (!HOP_BY_HOP.has(name) || (keepLength && name === 'content-length')) out[name] = from[name]!;
  }
  return out;
}

class ForwardHandler implements Dispatcher.DispatchHandler {
  private status = 0;
  private headers: Headers = {};
  private chunks: Buffer[] = [];
  private stream: PassThrough | null = null;
  private started = false;
  private retried = false;
  private readonly pool: Pool;
  private readonly options: Dispatcher.DispatchOptions;
  private readonly reply: FastifyReply;
  private readonly hooks: ForwardHooks;

  constructor(pool: Pool, options: Dispatcher.DispatchOptions, reply: FastifyReply, hooks: ForwardHooks) {
    this.pool = pool;
    this.options = options;
    this.reply = reply;
    this.hooks = hooks;
  }

  onRequestStart(): void {}

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Headers): void {
    if (statusCode < 200) return; // 1xx informational answers are not passed on
    this.started = true;
    this.status = statusCode;
    const length = Number(headers['content-length']);
    // A HEAD answer keeps the length of the body it describes.
    this.headers = answerHeaders(headers, this.options.method === 'HEAD');
    if (length <= BUFFERED_ANSWER_BYTES) return;
    const stream = new PassThrough();
    stream.on('drain', () => controller.resume());
    stream.on('close', () => {
      // The client went away before the end: stop reading from the service.
      if (!stream.writableFinished) controller.abort(new Error('the client closed the connection'));
    });
    this.stream = stream;
    void this.reply.code(statusCode).headers(this.headers).send(stream);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.stream === null) this.chunks.push(chunk);
    else if (!this.stream.write(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    if (this.stream !== null) {
      this.stream.end();
      return;
    }
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.hooks.onAnswer?.({ status: this.status, headers: this.headers, body });
    void this.reply.code(this.status).headers(this.headers).send(body);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.stream !== null) {
      this.stream.destroy(error);
      return;
    }
    const method = this.options.method;
    if (
      !this.started &&
      !this.retried &&
      (method === 'GET' || method === 'HEAD') &&
      STALE_SOCKET_CODES.has(codeOf(error))
    ) {
      // One retry, only for a body-less read that met a connection the service had just closed.
      this.retried = true;
      this.pool.dispatch(this.options, this);
      return;
    }
    this.hooks.onFailure(this.reply, isTimeout(error), error);
  }
}

export function createForwarder(origin: string, timeoutMs: number): Forwarder {
  const pool = new Pool(origin, {
    connections: 128,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    connectTimeout: Math.min(timeoutMs, 3_000),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  return {
    forward(request, reply, hooks) {
      const options: Dispatcher.DispatchOptions = {
        method: request.method as Dispatcher.HttpMethod,
        path: request.path,
        headers: request.headers,
        body: request.body,
      };
      pool.dispatch(options, new ForwardHandler(pool, options, reply, hooks));
    },
    close: () => pool.destroy(),
  };
}
