// API errors as the app shows them: the problem+json `detail` in words, field problems by field,
// and a sentence of our own when the server could not be reached at all.

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field?: string; path?: string; message?: string }[];
  request_id?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problemMessage(status, problem));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  /** Field name → message, for forms that show the server's validation next to the field. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      const field = (e.field ?? e.path ?? '').split(/[./]/).filter(Boolean).pop();
      if (field && e.message) out[field] = e.message;
    }
    return out;
  }
}

const FALLBACK: Record<number, string> = {
  401: 'Please sign in again.',
  403: 'You do not have access to this.',
  404: 'We could not find that.',
  409: 'That conflicts with the current state. Please try again.',
  429: 'Too many requests right now. Please wait a moment and try again.',
};

function problemMessage(status: number, problem: Problem): string {
  if (problem.detail) return problem.detail;
  if (status >= 500) return 'Something went wrong on our side. Please try again in a moment.';
  return FALLBACK[status] ?? problem.title ?? `The request failed (${status}).`;
}

/** The sentence to show for any error a request or a page may throw. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'We could not reach the shop. Check your connection and try again.';
  return 'Something went wrong. Please try again.';
}

export function isStatus(error: unknown, status: number): boolean {
  return error instanceof ApiError && error.status === status;
}

/** A 4xx will not change by asking again; a dropped connection or a 5xx may. */
export function isRetryable(error: unknown): boolean {
  return !(error instanceof ApiError) || error.status >= 500;
}
