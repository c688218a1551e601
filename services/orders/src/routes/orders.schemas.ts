// The Orders API's shapes: one schema each for validation, serialization, OpenAPI and types.
import { Type } from '@sinclair/typebox';
import { Currency, Money, PageQuery, Timestamp, Uuid } from '@minishop/kit/schemas';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S' });

export const ShippingAddress = Type.Object(
  {
    name: Text(200),
    line1: Text(200),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Text(100),
    postal_code: Text(20),
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code' }),
  },
  { additionalProperties: false },
);

export const PaymentMethod = Type.String({
  pattern: '^pm_[A-Za-z0-9_]{1,100}$',
  description: 'provider test payment method, e.g. pm_card_visa (default) or pm_card_chargeDeclined',
});

export const PlaceOrderBody = Type.Object(
  { shipping_address: ShippingAddress, payment_method: Type.Optional(PaymentMethod) },
  { additionalProperties: false },
);

export const OrderItem = Type.Object({
  product_id: Uuid,
  name: Type.String(),
  unit_price: Money,
  quantity: Type.Integer(),
  line_total: Money,
});

export const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('paid'),
  Type.Literal('shipped'),
  Type.Literal('delivered'),
  Type.Literal('payment_failed'),
  Type.Literal('cancelled'),
]);

export const ListQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional({ ...Status, description: 'only orders with this status' }),
    attention: Type.Optional(
      Type.Boolean({
        description: 'admins only: true lists just the orders that need a person to look at them',
      }),
    ),
  },
  { additionalProperties: false },
);

export const Order = Type.Object({
  id: Uuid,
  user_id: Uuid,
  items: Type.Array(OrderItem),
  total_price: Money,
  currency: Currency,
  status: Status,
  payment_id: Type.Union([Uuid, Type.Null()]),
  shipment_id: Type.Union([Uuid, Type.Null()]),
  shipping_address: ShippingAddress,
  attention: Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description: 'admins only: why this order needs a person to look at it',
    }),
  ),
  created_at: Timestamp,
  updated_at: Timestamp,
  history: Type.Optional(
    Type.Array(
      Type.Object({ status: Type.String(), reason: Type.Union([Type.String(), Type.Null()]), at: Timestamp }),
    ),
  ),
});

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' }),
  ),
});

export const ShipmentEventBody = Type.Object(
  {
    event_id: Type.String({ minLength: 1, maxLength: 200 }),
    shipment_id: Uuid,
    status: Type.Union([Type.Literal('in_transit'), Type.Literal('delivered')]),
  },
  { additionalProperties: false },
);

export const RetryPaymentBody = Type.Optional(
  Type.Object({ payment_method: Type.Optional(PaymentMethod) }, { additionalProperties: false }),
);
