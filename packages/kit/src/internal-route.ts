// Marks an operation that only other services call. The service's own OpenAPI document (the
// internal one, on its service port) keeps it, flagged `x-internal: true`; the gateway leaves it
// out of the public document and refuses its path before routing.

export const INTERNAL_MARK = 'x-internal';

/** The route schema of a service-only operation: `schema: internalOperation({ ... })`. */
export function internalOperation<S extends object>(schema: S): S & { 'x-internal': true } {
  return { ...schema, [INTERNAL_MARK]: true } as S & { 'x-internal': true };
}

/** True for an OpenAPI operation object that carries the mark. */
export function isInternalOperation(operation: unknown): boolean {
  return (
    typeof operation === 'object' &&
    operation !== null &&
    (operation as Record<string, unknown>)[INTERNAL_MARK] === true
  );
}
