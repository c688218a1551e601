// A minimal HTTP/1.1 client for the fixed-rate phase and the checkouts: keep-alive sockets, one
// request in flight per socket, requests prebuilt as bytes, responses parsed only as far as status
// and length (and the body, for a request that wants it). It does a fraction of node:http's work
// per request, so the load generator stays out of the way of the servers it measures on a small
// machine. Requests beyond the socket limit wait in a queue (and that wait counts in their latency,
// since callers time from when the request was due).
import net from 'node:net';

export interface RawRequest {
  bytes: Buffer;
  /** Keep the response body and hand it to onDone. */
  wantBody?: boolean;
  onDone: (status: number, body?: string) => void;
  onError: (error: Error) => void;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CHUNKED = /\r\ntransfer-encoding:[ \t]*chunked/i;
const CLOSE = /\r\nconnection:[ \t]*close/i;

export function buildRequest(
  method: string,
  host: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Buffer {
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  if (body !== undefined) head += `content-length: ${payload.length}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), payload]);
}

class Connection {
  private readonly socket: net.Socket;
  private current: RawRequest | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private status = 0;
  /** Body bytes still expected; -1 while reading headers; -2 for a chunked body. */
  private remaining = -1;
  /** The body so far, for a request that wants it. */
  private body: Buffer[] = [];
  private closeAfter = false;
  private connected = false;
  private queued: RawRequest | undefined;
  closed = false;
  private readonly onFree: (conn: Connection) => void;
  private readonly onGone: (conn: Connection) => void;

  constructor(
    host: string,
    port: number,
    timeoutMs: number | undefined,
    onFree: (conn: Connection) => void,
    onGone: (conn: Connection) => void,
  ) {
    this.onFree = onFree;
    this.onGone = onGone;
    this.socket = net.connect({ host, port, noDelay: true, timeout: timeoutMs });
    // Silence for the whole timeout fails the request waiting on it; an idle socket may stay.
    this.socket.on('timeout', () => {
      if (this.current) this.fail(new Error('request timed out'));
    });
    this.socket.on('connect', () => {
      this.connected = true;
      if (this.queued) {
        const request = this.queued;
        this.queued = undefined;
        this.send(request);
      }
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
  }

  send(request: RawRequest): void {
    this.current = request;
    if (!this.connected) {
      this.queued = request;
      return;
    }
    this.remaining = -1;
    this.body = [];
    this.socket.write(request.bytes);
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    const request = this.current;
    this.current = undefined;
    this.onGone(this);
    request?.onError(error);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.remaining === -1) {
        const end = this.buffer.indexOf(CRLFCRLF);
        if (end === -1) return;
        const head = this.buffer.toString('latin1', 0, end);
        this.status = Number(head.slice(9, 12));
        this.closeAfter = CLOSE.test(head);
        const length = CONTENT_LENGTH.exec(head);
        this.remaining = length ? Number(length[1]) : CHUNKED.test(head) ? -2 : 0;
        this.buffer = this.buffer.subarray(end + 4);
      }
      if (this.remaining === -2) {
        // Chunked: size line, data, CRLF ... until a zero-size chunk and the final CRLF.
        const lineEnd = this.buffer.indexOf('\r\n');
        if (lineEnd === -1) return;
        const size = Number.parseInt(this.buffer.toString('latin1', 0, lineEnd), 16);
        if (size === 0) {
          const trailerEnd = this.buffer.indexOf(CRLFCRLF, lineEnd - 2);
          if (trailerEnd === -1) return;
          this.buffer = this.buffer.subarray(trailerEnd + 4);
          this.complete();
          return;
        }
        if (this.buffer.length < lineEnd + 2 + size + 2) return;
        if (this.current?.wantBody) this.body.push(this.buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
        this.buffer = this.buffer.subarray(lineEnd + 2 + size + 2);
        continue;
      }
      if (this.buffer.length < this.remaining) return;
      if (this.current?.wantBody) this.body.push(this.buffer.subarray(0, this.remaining));
      this.buffer = this.buffer.subarray(this.remaining);
      this.complete();
      return;
    }
  }

  private complete(): void {
    const request = this.current!;
    this.current = undefined;
    this.remaining = -1;
    request.onDone(this.status, request.wantBody ? Buffer.concat(this.body).toString('utf8') : undefined);
    if (this.closeAfter) {
      this.closed = true;
      this.socket.destroy();
      this.onGone(this);
    } else {
      this.onFree(this);
    }
  }
}

export class RawPool {
  private readonly idle: Connection[] = [];
  private readonly waiting: RawRequest[] = [];
  private waitingHead = 0;
  private open = 0;
  private readonly all = new Set<Connection>();
  private readonly host: string;
  private readonly port: number;
  private readonly maxConnections: number;
  private readonly timeoutMs: number | undefined;

  /** `timeoutMs`: a request whose connection stays silent that long fails (none: it waits). */
  constructor(host: string, port: number, maxConnections: number, timeoutMs?: number) {
    this.host = host;
    this.port = port;
    this.maxConnections = maxConnections;
    this.timeoutMs = timeoutMs;
  }

  submit(request: RawRequest): void {
    const conn = this.idle.pop();
    if (conn) return conn.send(request);
    if (this.open < this.maxConnections) {
      this.open++;
      const fresh = new Connection(
        this.host,
        this.port,
        this.timeoutMs,
        (c) => this.free(c),
        (c) => this.gone(c),
      );
      this.all.add(fresh);
      return fresh.send(request);
    }
    this.waiting.push(request);
  }

  close(): void {
    for (const conn of this.all) conn.destroy();
    this.all.clear();
  }

  private free(conn: Connection): void {
    if (this.waitingHead < this.waiting.length) {
      const next = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead++] = undefined as unknown as RawRequest;
      if (this.waitingHead > 4096 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting.splice(0, this.waitingHead);
        this.waitingHead = 0;
      }
      conn.send(next);
      return;
    }
    this.idle.push(conn);
  }

  private gone(conn: Connection): void {
    this.open--;
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i !== -1) this.idle.splice(i, 1);
    // A replacement picks up whatever is waiting.
    if (this.waitingHead < this.waiting.length) {
      const next = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead++] = undefined as unknown as RawRequest;
      this.submit(next);
    }
  }
}
