// Maps every error a request can meet to an RFC 9457 problem+json body carrying the request
// id. Domain errors keep their message; anything unknown becomes an opaque 500, logged in full.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, RateLimited, type FieldProblem, type ProblemKind } from './errors.ts';

const STATUS: Record<ProblemKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  validation: 422,
  rate_limited: 429,
  unavailable: 503,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  request_id?: string;
  errors?: FieldProblem[];
  [extra: string]: unknown;
}

export function problem(status: number, detail?: string, extra: Record<string, unknown> = {}): ProblemBody {
  const title = TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
  const slug = title.toLowerCase().replace(/[^a-z]+/g, '-');
  return {
    type: `https://minishop.dev/problems/${slug}`,
    title,
    status,
    ...(detail ? { detail } : {}),
    ...extra,
  };
}

export function sendProblem(reply: FastifyReply, body: ProblemBody): FastifyReply {
  body.request_id = String(reply.request.id);
  return reply.code(body.status).type('application/problem+json').send(body);
}

function validationErrors(err: FastifyError): FieldProblem[] {
  return (err.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>;
    const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const extra = typeof params.additionalProperty === 'string' ? params.additionalProperty : '';
    const missing = typeof params.missingProperty === 'string' ? params.missingProperty : '';
    const field = [err.validationContext, path, extra || missing].filter(Boolean).join('.');
    const message = extra ? 'unknown field' : (v.message ?? 'invalid');
    return { field, message };
  });
}

/** Network failures on the way to PostgreSQL or Redis (Node's socket errors). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
/**
 * PostgreSQL states that say the server cannot serve now: connection exceptions (class 08),
 * too many connections, shutting down or starting up, and a statement cancelled by its timeout.
 */
const POSTGRES_UNAVAILABLE = /^(08...|53300|57P0[1-3]|57014)$/;
/** What pg's pool and ioredis throw, without a code, when the connection is gone or too slow. */
const OUTAGE_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Client has encountered a connection error',
  'Query read timeout',
  'Connection is closed',
  'Command timed out',
  'Reached the max retries per request limit',
  "Stream isn't writeable",
];

/**
 * True when err says that PostgreSQL or Redis could not be reached (or answered too late), not
 * that the request was wrong: the client is told to come back (503), not that we failed (500).
 */
export function isDependencyOutage(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || POSTGRES_UNAVAILABLE.test(code))) return true;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return OUTAGE_MESSAGES.some((text) => err.message.includes(text));
}

export function toProblem(err: FastifyError | Error, request: FastifyRequest): ProblemBody {
  if (err instanceof DomainError) {
    const status = STATUS[err.kind];
    return problem(status, err.message, err.details);
  }
  if (isDependencyOutage(err)) {
    request.log.warn({ err }, 'a dependency is unavailable');
    return problem(503, 'a service this request needs is unavailable; try again shortly');
  }
  const code = (err as { code?: unknown }).code;
  if (code === '22021' || code === '22P05') {
    // PostgreSQL cannot store NUL or characters outside the database encoding in text.
    return problem(422, 'the request contains characters that cannot be stored (such as NUL)');
  }
  const fe = err as FastifyError;
  if (fe.validation) {
    return problem(422, `request ${fe.validationContext ?? 'input'} is invalid`, {
      errors: validationErrors(fe),
    });
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (malformed JSON, body too large, bad content type) have safe messages.
    const detail =
      fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.name === 'SyntaxError'
        ? 'malformed JSON body'
        : fe.message;
    return problem(status, detail);
  }
  request.log.error({ err }, 'unhandled error');
  return problem(500, 'an unexpected error occurred');
}

export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const body = toProblem(err, request);
  if (err instanceof RateLimited) reply.header('retry-after', String(err.retryAfterSeconds));
  if (body.status >= 500 && err instanceof DomainError) request.log.warn({ err }, 'service unavailable');
  return sendProblem(reply, body);
}
