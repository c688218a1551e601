// The notification events Notifications accepts and what each one's data must hold. Data is read
// tolerantly (fields a template does not use are ignored, so producers can add to their events),
// but everything a template shows must be present and well-formed.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ValidationFailed } from '@minishop/kit/errors';

export const EVENT_TYPES = [
  'OrderPlaced',
  'PaymentConfirmed',
  'PaymentFailed',
  'Shipped',
  'Delivered',
  'OrderCancelled',
  'EmailVerification',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const Amount = Type.Union([
  Type.String({ pattern: '^(0|[1-9]\\d{0,9})(\\.\\d{1,2})?$' }),
  Type.Number({ minimum: 0, maximum: 9_999_999_999.99 }),
]);
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
/** Optional fields may also be sent as null by producers that always include them. */
const Maybe = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

export const OrderItem = Type.Object({
  name: Type.String({ maxLength: 200 }),
  quantity: Type.Integer({ minimum: 1, maximum: 100_000 }),
  unit_price: Amount,
  line_total: Maybe(Amount),
  product_id: Maybe(Type.String({ maxLength: 100 })),
});
export type OrderItem = Static<typeof OrderItem>;

export const ShippingAddress = Type.Object({
  name: Maybe(Type.String({ maxLength: 200 })),
  line1: Maybe(Type.String({ maxLength: 200 })),
  line2: Maybe(Type.String({ maxLength: 200 })),
  city: Maybe(Type.String({ maxLength: 200 })),
  postal_code: Maybe(Type.String({ maxLength: 50 })),
  country: Maybe(Type.String({ maxLength: 100 })),
});
export type ShippingAddress = Static<typeof ShippingAddress>;

const orderFields = {
  order_id: Type.String({ pattern: UUID_PATTERN }),
  items: Type.Array(OrderItem, { minItems: 1, maxItems: 200 }),
  total_price: Amount,
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  username: Maybe(Text(100)),
  shipping_address: Maybe(ShippingAddress),
};

export const OrderData = Type.Object(orderFields);
export const PaymentFailedData = Type.Object({
  ...orderFields,
  failure_code: Maybe(Text(100)),
  failure_message: Maybe(Text(500)),
  reason: Maybe(Text(500)),
});
export const ShipmentData = Type.Object({
  ...orderFields,
  tracking_number: Text(100),
  carrier: Maybe(Text(100)),
});
/**
 * A cancelled order: `reason` says why (out_of_stock: its stock ran out before it could be
 * reserved, and nothing was charged; stock_lost_after_payment: it could not be shipped and was
 * refunded; requested: the buyer cancelled it; by_shop: the shop cancelled it; other reasons are
 * shown neutrally), `refunded` whether a payment was given back, `short` which items ran out.
 */
export const OrderCancelledData = Type.Object({
  ...orderFields,
  reason: Maybe(Text(100)),
  refunded: Maybe(Type.Boolean()),
  short: Maybe(
    Type.Array(
      Type.Object({
        name: Maybe(Type.String({ maxLength: 200 })),
        requested: Type.Integer({ minimum: 0, maximum: 100_000 }),
        available: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
      }),
      { maxItems: 200 },
    ),
  ),
});
const SafeUrl = Type.String({ pattern: '^https?://[^\\s<>"]+$', maxLength: 2000 });
/** The link is given whole (verify_url) or as a path on the shop's public URL (verification_path). */
export const EmailVerificationData = Type.Object({
  username: Text(100),
  verify_url: Maybe(SafeUrl),
  verification_path: Maybe(Type.String({ pattern: '^/(?!/)[^\\s<>"]*$', maxLength: 2000 })),
});

export type OrderData = Static<typeof OrderData>;
export type PaymentFailedData = Static<typeof PaymentFailedData>;
export type ShipmentData = Static<typeof ShipmentData>;
export type EmailVerificationData = Static<typeof EmailVerificationData>;
export type OrderCancelledData = Static<typeof OrderCancelledData>;

const DATA_SCHEMAS: Record<EventType, TSchema> = {
  OrderPlaced: OrderData,
  PaymentConfirmed: OrderData,
  PaymentFailed: PaymentFailedData,
  Shipped: ShipmentData,
  Delivered: OrderData,
  OrderCancelled: OrderCancelledData,
  EmailVerification: EmailVerificationData,
};

/**
 * Throws ValidationFailed listing every problem with the data of an event of this type; `field`
 * names where the data is in the request.
 */
export function checkEventData(type: EventType, data: unknown, field = 'body.data'): void {
  const schema = DATA_SCHEMAS[type];
  if (Value.Check(schema, data)) {
    const link = data as { verify_url?: string | null; verification_path?: string | null };
    if (type === 'EmailVerification' && !link.verify_url && !link.verification_path) {
      throw new ValidationFailed('an EmailVerification event needs verify_url or verification_path', [
        { field: `${field}.verify_url`, message: 'required (or verification_path)' },
      ]);
    }
    return;
  }
  const errors = [...Value.Errors(schema, data)].slice(0, 20).map((e) => ({
    field: [field, ...e.path.split('/').filter(Boolean)].join('.'),
    message: e.message,
  }));
  throw new ValidationFailed(`data does not fit a ${type} event`, errors);
}
