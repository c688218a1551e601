// Domain errors: what use cases throw when a request cannot be served. They carry no HTTP
// status; the service kit's error handler maps each kind to a problem+json response.

export type ProblemKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'validation'
  | 'rate_limited'
  | 'unavailable';

export interface FieldProblem {
  field: string;
  message: string;
}

export class DomainError extends Error {
  readonly kind: ProblemKind;
  readonly details: Record<string, unknown>;
  constructor(kind: ProblemKind, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.kind = kind;
    this.details = details;
  }
}

export class NotFound extends DomainError {
  constructor(what: string, details: Record<string, unknown> = {}) {
    super('not_found', `${what} not found`, details);
  }
}

export class Conflict extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('conflict', message, details);
  }
}

export class Unauthorized extends DomainError {
  constructor(message = 'authentication required') {
    super('unauthorized', message);
  }
}

export class Forbidden extends DomainError {
  constructor(message = 'not allowed') {
    super('forbidden', message);
  }
}

export class ValidationFailed extends DomainError {
  constructor(message: string, errors: FieldProblem[] = []) {
    super('validation', message, { errors });
  }
}

export class RateLimited extends DomainError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, message = 'too many requests') {
    super('rate_limited', message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

export class Unavailable extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('unavailable', message, details);
  }
}
