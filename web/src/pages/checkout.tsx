// Checkout: the bag's summary, the shipping address with inline validation, a test card, and
// "Place order". One Idempotency-Key belongs to each attempt (this address, this card): a retry
// or a second click sends the same key, so the shop makes one order however often it is asked.
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, ok } from '../api/client.ts';
import { isRetryable } from '../api/problem.ts';
import { keys, useCart } from '../api/queries.ts';
import { CardChoice, TEST_CARDS } from '../components/cards.tsx';
import { EmptyWithShopLink, FormSubmit, Loading, QueryState } from '../components/feedback.tsx';
import { Fields, type FieldSpec } from '../components/field.tsx';
import { Lines } from '../components/lines.tsx';
import { Page } from '../components/page.tsx';
import { useFormMutation } from '../forms/use-form-mutation.ts';
import { validateAddress, type AddressValues } from '../forms/validation.ts';
import { pathTo } from '../routes.ts';

export const COUNTRIES = [
  { value: '', label: 'Choose a country' },
  { value: 'US', label: 'United States' },
  { value: 'GB', label: 'United Kingdom' },
  { value: 'CA', label: 'Canada' },
  { value: 'IE', label: 'Ireland' },
  { value: 'DE', label: 'Germany' },
  { value: 'FR', label: 'France' },
  { value: 'NL', label: 'Netherlands' },
  { value: 'ES', label: 'Spain' },
  { value: 'IT', label: 'Italy' },
  { value: 'AU', label: 'Australia' },
];

const ADDRESS_FIELDS: (FieldSpec<keyof AddressValues> | FieldSpec<keyof AddressValues>[])[] = [
  { name: 'name', label: 'Full name', autoComplete: 'name', required: true },
  { name: 'line1', label: 'Street address', autoComplete: 'address-line1', required: true },
  { name: 'line2', label: 'Apartment, suite (optional)', autoComplete: 'address-line2' },
  [
    { name: 'city', label: 'City', autoComplete: 'address-level2', required: true },
    { name: 'postal_code', label: 'Postal code', autoComplete: 'postal-code', required: true },
  ],
  { name: 'country', label: 'Country', autoComplete: 'country', required: true, options: COUNTRIES },
];

const EMPTY_ADDRESS: AddressValues = {
  name: '',
  line1: '',
  line2: '',
  city: '',
  postal_code: '',
  country: '',
};

/** A random key from getRandomValues, which (unlike randomUUID) also works on plain-http hosts. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `checkout-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The key of the current attempt: the same for the same request, a new one when it changes. */
export function useAttemptKey(): (request: unknown) => string {
  const attempt = useRef<{ key: string; request: string } | null>(null);
  return (request) => {
    const fingerprint = JSON.stringify(request);
    if (attempt.current?.request !== fingerprint)
      attempt.current = { key: newIdempotencyKey(), request: fingerprint };
    return attempt.current.key;
  };
}

export function CheckoutPage() {
  const cart = useCart();
  const client = useQueryClient();
  const navigate = useNavigate();
  const keyFor = useAttemptKey();
  const [card, setCard] = useState(TEST_CARDS[0]!.value);
  const {
    form,
    mutation: place,
    onSubmit,
  } = useFormMutation({
    initial: EMPTY_ADDRESS,
    validate: validateAddress,
    send: (address: AddressValues) => {
      const { line2, ...rest } = address;
      const body = {
        shipping_address: { ...rest, ...(line2.trim() ? { line2 } : {}) },
        payment_method: card,
      };
      return ok(api.POST('/orders', { params: { header: { 'idempotency-key': keyFor(body) } }, body }));
    },
    // A lost answer or a 5xx is asked again with the same key, so it can only find the same order.
    retry: (count, error) => count < 3 && isRetryable(error),
    onSuccess: (order) => {
      void client.invalidateQueries({ queryKey: keys.cart });
      void client.invalidateQueries({ queryKey: keys.orders });
      client.setQueryData(keys.order(order.id), order);
      navigate(pathTo('checkoutResult', { orderId: order.id }), { replace: true });
    },
  });

  return (
    <Page title="Checkout">
      <QueryState
        query={cart}
        loading={<Loading label="Loading your bag…" />}
        isEmpty={(c) => c.items.length === 0 && !place.isPending && !place.isSuccess}
        empty={<EmptyWithShopLink title="Your bag is empty" />}
      >
        {(c) => (
          <div className="checkout">
            <form className="checkout-form" noValidate aria-label="Shipping and payment" onSubmit={onSubmit}>
              <fieldset>
                <legend>Shipping address</legend>
                <Fields specs={ADDRESS_FIELDS} field={form.field} />
              </fieldset>
              <CardChoice value={card} onChange={setCard} />
              <FormSubmit
                mutation={place}
                errorTitle="Your order was not placed"
                label="Place order"
                busyLabel="Placing your order…"
              />
            </form>
            <aside className="checkout-summary" aria-label="Order summary">
              <h2>Order summary</h2>
              <Lines
                items={c.items}
                currency={c.currency}
                total={c.total_price}
                label="Items in this order"
              />
              <p className="fine-print">Free delivery. You can cancel until the parcel ships.</p>
            </aside>
          </div>
        )}
      </QueryState>
    </Page>
  );
}
