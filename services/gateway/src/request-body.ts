// Reads request bodies as raw bytes (the gateway forwards them unparsed) with a size limit whose
// refusal the client can read. A server that answers 413 and closes while the client is still
// sending makes the kernel reset the connection, which throws away the answer before the client
// reads it (a client sees ECONNRESET or EPIPE). So an oversized body is read to its end and
// dropped before the 413 goes out, up to a drain limit; and a client that asks first
// (`Expect: 100-continue`) is told 413 without ever sending the body.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';

type Done = (err: Error | null, body?: Buffer) => void;

function tooLarge(): Error {
  return Object.assign(new Error('Request body is too large'), { statusCode: 413 });
}

/**
 * A content-type parser callback: the body as one Buffer, or 413 once it passes `limit` bytes.
 * Beyond `limit`, up to `drainLimit` more bytes are read and dropped so the answer arrives on a
 * connection the client can still read; past that the connection is given up.
 */
export function rawBodyReader(limit: number, drainLimit: number) {
  return (request: FastifyRequest, payload: IncomingMessage, done: Done): void => {
    const declared = Number(request.headers['content-length']);
    const waitsForContinue = /100-continue/i.test(String(request.headers.expect ?? ''));
    if (declared > limit && (waitsForContinue || declared > limit + drainLimit)) {
      // Answered at once: the client holds the body back until told to continue, or it is not
      // worth reading (such a client may miss the answer).
      done(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limit) chunks.push(chunk);
      else if (received > limit + drainLimit) finish(tooLarge());
    };
    const onEnd = () => {
      if (received > limit) return finish(tooLarge());
      if (!Number.isNaN(declared) && received !== declared) {
        return finish(
          Object.assign(new Error('Request body size did not match Content-Length'), { statusCode: 400 }),
        );
      }
      finish(null);
    };
    const onError = (err: Error) => finish(Object.assign(err, { statusCode: 400 }));
    function finish(err: Error | null): void {
      payload.off('data', onData);
      payload.off('end', onEnd);
      payload.off('error', onError);
      if (err) done(err);
      else done(null, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    }
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
  };
}

/**
 * Answers `Expect: 100-continue` itself: "100 Continue" only for a body within the limit, so a
 * client announcing a larger one gets the 413 before it sends anything.
 */
export function continueOnlyWithin(server: Server, limit: number): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    if (!(Number(request.headers['content-length']) > limit)) response.writeContinue();
    server.emit('request', request, response);
  });
}
