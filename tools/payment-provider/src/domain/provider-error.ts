// Errors in the shape Stripe's API returns them ({error: {type, code, message, ...}}), with the
// HTTP status Stripe pairs with each kind, so official SDKs map them to their own error classes.

export type ErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface ErrorBody {
  type: ErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
}

export class ProviderError extends Error {
  readonly statusCode: number;
  readonly body: ErrorBody;
  constructor(statusCode: number, body: ErrorBody) {
    super(body.message);
    this.statusCode = statusCode;
    this.body = body;
  }
}

export function invalidRequest(
  message: string,
  extra: { code?: string; param?: string } = {},
): ProviderError {
  return new ProviderError(400, { type: 'invalid_request_error', message, ...extra });
}

export function missingParam(param: string): ProviderError {
  return invalidRequest(`Missing required param: ${param}.`, { code: 'parameter_missing', param });
}

export function noSuchResource(kind: string, id: string, param?: string): ProviderError {
  // A missing resource named in the URL is a 404; one named by a parameter is a 400.
  return new ProviderError(param ? 400 : 404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${kind}: '${id}'`,
    ...(param ? { param } : {}),
  });
}

export function unexpectedState(message: string): ProviderError {
  return invalidRequest(message, { code: 'payment_intent_unexpected_state' });
}
