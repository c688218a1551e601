// The way every API request runs: the configured latency, an injected failure (before anything
// happens), then the domain action; writes go through the idempotency layer first, so a request
// that is busy, replayed or mismatched never reaches the domain.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestInfo } from '../domain/event-sink.ts';
import { ProviderError, invalidRequest } from '../domain/provider-error.ts';
import type { FaultsState } from '../faults/faults.state.ts';
import type { IdempotencyStore } from '../idempotency/idempotency.store.ts';
import type { StateFile } from '../state/state-file.ts';
import { canonicalParams } from './form-body.parser.ts';

export interface PipelineDeps {
  faults: FaultsState;
  idempotency: IdempotencyStore;
  state: StateFile;
}

export interface ApiResult {
  statusCode: number;
  body: unknown;
  /** The action ran (successfully or with a card error), so the result is kept for its key. */
  executed: boolean;
  injected?: boolean;
  replayOf?: string;
}

type Action = (request: RequestInfo) => object;

export async function runRead(deps: PipelineDeps, req: FastifyRequest, action: Action): Promise<ApiResult> {
  return perform(deps, () => action({ id: req.id, idempotency_key: null }));
}

/**
 * Runs a write; whatever it changed (ledger, event, the key's answer) is on disk before the
 * caller sends the answer.
 */
export async function runWrite(deps: PipelineDeps, req: FastifyRequest, action: Action): Promise<ApiResult> {
  try {
    return await runKeyedWrite(deps, req, action);
  } finally {
    deps.state.commit();
  }
}

async function runKeyedWrite(deps: PipelineDeps, req: FastifyRequest, action: Action): Promise<ApiResult> {
  const header = req.headers['idempotency-key'];
  const key = typeof header === 'string' && header !== '' ? header : null;
  const request = { id: req.id, idempotency_key: key };
  if (key === null) return perform(deps, () => action(request));
  if (key.length > 255)
    return errorResult(invalidRequest('Idempotency-Key must be at most 255 characters long.'));

  const fingerprint = `${req.method} ${req.url} ${canonicalParams(req.body ?? {})}`;
  const claim = deps.idempotency.claim(key, fingerprint);
  if (claim.kind === 'mismatch') {
    return errorResult(
      new ProviderError(400, {
        type: 'idempotency_error',
        message:
          'Keys for idempotent requests can only be used with the same parameters they were first used with. ' +
          `Try using a key other than '${key}' if you meant to execute a different request.`,
      }),
    );
  }
  if (claim.kind === 'in_progress') {
    return errorResult(
      new ProviderError(409, {
        type: 'invalid_request_error',
        code: 'idempotency_key_in_use',
        message:
          'There is currently another in-progress request using this Idempotent Key (that probably means you ' +
          'submitted twice, and the other request is still going through). Please try again later.',
      }),
    );
  }
  if (claim.kind === 'replay') {
    const { statusCode, body, requestId } = claim.response;
    return { statusCode, body, executed: true, replayOf: requestId };
  }
  try {
    const result = await perform(deps, () => action(request));
    if (result.executed) deps.idempotency.complete(key, { ...result, requestId: req.id });
    else deps.idempotency.release(key);
    return result;
  } catch (err) {
    deps.idempotency.release(key);
    throw err;
  }
}

/** Sends a result; a succeeded charge may instead lose its connection when that fault is on. */
export function sendResult(
  deps: PipelineDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  result: ApiResult,
  options: { chargesCard?: boolean } = {},
): FastifyReply {
  if (result.replayOf)
    reply.header('idempotent-replayed', 'true').header('original-request', result.replayOf);
  if (result.injected) reply.header('stripe-should-retry', 'true');
  const succeeded = (result.body as { status?: unknown } | null)?.status === 'succeeded';
  if (
    options.chargesCard &&
    result.statusCode === 200 &&
    succeeded &&
    deps.faults.strikes('drop_after_charge_rate')
  ) {
    req.log.info('fault: dropping the connection after the charge');
    reply.hijack();
    req.raw.socket.destroy();
    return reply;
  }
  return reply.code(result.statusCode).send(result.body);
}

async function perform(deps: PipelineDeps, run: () => object): Promise<ApiResult> {
  await deps.faults.delay();
  if (deps.faults.strikes('error_rate')) {
    return {
      statusCode: 500,
      body: {
        error: { type: 'api_error', message: 'An unknown error occurred (injected by the simulator).' },
      },
      executed: false,
      injected: true,
    };
  }
  try {
    return { statusCode: 200, body: run(), executed: true };
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    // A card error means the charge was attempted: like a success, it is the key's final answer.
    return { ...errorResult(err), executed: err.statusCode === 402 };
  }
}

function errorResult(err: ProviderError): ApiResult {
  return { statusCode: err.statusCode, body: { error: err.body }, executed: false };
}
