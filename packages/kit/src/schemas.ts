// Schemas shared by every service's public contract (docs/design.md §4): ids, money, problems,
// messages and pagination. One schema gives validation, serialization, OpenAPI and the type.
import { Type, type Static } from '@sinclair/typebox';

export const Uuid = Type.String({ format: 'uuid', description: 'UUID' });

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export type IdParams = Static<typeof IdParams>;

/** Money on output: a decimal string with two places. */
export const Money = Type.String({ pattern: '^-?\\d+\\.\\d{2}$', examples: ['19.99'] });

/**
 * Money on input: a string or number with at most two decimals. JSON Schema's multipleOf cannot
 * check decimals of a binary float (19.99 / 0.01 is not an integer), so parseMoney decides.
 */
export const MoneyInput = Type.Union(
  [
    Type.String({ pattern: '^(0|[1-9]\\d{0,9})(\\.\\d{1,2})?$' }),
    Type.Number({ minimum: 0, maximum: 9_999_999_999.99 }),
  ],
  { description: 'amount as "19.99" or 19.99, at most two decimals', examples: ['19.99'] },
);

export const Currency = Type.Literal('USD');

export const Timestamp = Type.String({ format: 'date-time' });

export const MessageResponse = Type.Object({ message: Type.String() });
export type MessageResponse = Static<typeof MessageResponse>;

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details' },
);

export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
};

/** The client and availability problems a protected write route can answer, for its response schema. */
export const ProblemResponses = {
  400: Problem,
  401: Problem,
  403: Problem,
  404: Problem,
  409: Problem,
  422: Problem,
  503: Problem,
};
