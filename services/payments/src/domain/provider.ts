// The payment provider as Payments sees it: the official Stripe SDK pointed by config at any
// Stripe-compatible API (the local simulator or Stripe itself), with answers reduced to what a
// payment attempt needs to know: succeeded, failed (with the decline code) or still unknown.
import Stripe from 'stripe';
import type { Config } from '../config.ts';

export type ChargeOutcome =
  | { kind: 'succeeded'; ref: string }
  | { kind: 'failed'; ref: string | null; code: string; message: string }
  /** The provider's answer is not known yet (timeout, 5xx, dropped connection, processing). */
  | { kind: 'pending'; ref: string | null; reason: string };

export type RefundOutcome = { kind: 'refunded'; ref: string } | { kind: 'unavailable'; reason: string };

export interface ChargeRequest {
  paymentId: string;
  orderId: string;
  attempt: number;
  amountCents: number;
  currency: string;
  paymentMethod: string;
  idempotencyKey: string;
}

export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  /** Reads the outcome of a payment intent created earlier. */
  status(ref: string): Promise<ChargeOutcome>;
  refund(paymentIntent: string, idempotencyKey: string): Promise<RefundOutcome>;
  /** Verifies the signature over the raw body and parses the event; throws on a bad signature. */
  verifyEvent(rawBody: Buffer, signature: string): Stripe.Event;
}

export function providerEndpoint(url: string): { host: string; port: number; protocol: 'http' | 'https' } {
  const parsed = new URL(url);
  const protocol = parsed.protocol === 'https:' ? 'https' : 'http';
  const port = parsed.port ? Number(parsed.port) : protocol === 'https' ? 443 : 80;
  return { host: parsed.hostname, port, protocol };
}

export function stripeProvider(config: Config): PaymentProvider {
  const stripe = new Stripe(config.PAYMENT_PROVIDER_SECRET_KEY, {
    ...providerEndpoint(config.PAYMENT_PROVIDER_URL),
    maxNetworkRetries: config.PROVIDER_MAX_RETRIES,
    timeout: config.PROVIDER_TIMEOUT_MS,
    telemetry: false,
    appInfo: { name: 'minishop-payments' },
  });
  const webhookSecret = config.PAYMENT_WEBHOOK_SECRET;

  return {
    async charge(request) {
      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: request.amountCents,
            currency: request.currency.toLowerCase(),
            payment_method: request.paymentMethod,
            confirm: true,
            description: `Minishop order ${request.orderId}`,
            // Off-session card payment: no redirect-based methods are offered.
            automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
            metadata: {
              payment_id: request.paymentId,
              order_id: request.orderId,
              attempt: String(request.attempt),
            },
          },
          { idempotencyKey: request.idempotencyKey },
        );
        return intentOutcome(intent);
      } catch (err) {
        return errorOutcome(err);
      }
    },

    async status(ref) {
      try {
        return intentOutcome(await stripe.paymentIntents.retrieve(ref));
      } catch (err) {
        return errorOutcome(err, ref);
      }
    },

    async refund(paymentIntent, idempotencyKey) {
      try {
        const refund = await stripe.refunds.create({ payment_intent: paymentIntent }, { idempotencyKey });
        if (refund.status === 'failed' || refund.status === 'canceled') {
          return { kind: 'unavailable', reason: `refund ${refund.id} is ${refund.status}` };
        }
        return { kind: 'refunded', ref: refund.id };
      } catch (err) {
        // Refunding an already fully refunded charge: the money is back, which is what was asked.
        if (
          err instanceof Stripe.errors.StripeInvalidRequestError &&
          err.code === 'charge_already_refunded'
        ) {
          return { kind: 'refunded', ref: '' };
        }
        return { kind: 'unavailable', reason: describe(err) };
      }
    },

    verifyEvent(rawBody, signature) {
      return stripe.webhooks.constructEvent(rawBody, signature, webhookSecret);
    },
  };
}

export function intentOutcome(intent: Stripe.PaymentIntent): ChargeOutcome {
  switch (intent.status) {
    case 'succeeded':
      return { kind: 'succeeded', ref: intent.id };
    case 'canceled':
      return { kind: 'failed', ref: intent.id, code: 'canceled', message: 'the payment was canceled' };
    case 'requires_payment_method': {
      const error = intent.last_payment_error;
      if (!error)
        return { kind: 'pending', ref: intent.id, reason: 'payment intent awaits a payment method' };
      return {
        kind: 'failed',
        ref: intent.id,
        code: error.decline_code ?? error.code ?? 'payment_failed',
        message: error.message ?? 'the payment failed',
      };
    }
    default:
      return { kind: 'pending', ref: intent.id, reason: `payment intent is ${intent.status}` };
  }
}

function errorOutcome(err: unknown, knownRef: string | null = null): ChargeOutcome {
  if (err instanceof Stripe.errors.StripeCardError) {
    return {
      kind: 'failed',
      ref: err.payment_intent?.id ?? knownRef,
      code: err.decline_code ?? err.code ?? 'card_declined',
      message: err.message,
    };
  }
  // A request the provider refuses for its content (an unknown payment method, say) will never
  // succeed when repeated. A key still in use (409), an idempotency error, a missing object or a
  // server error say nothing about the charge: the attempt stays pending.
  if (
    err instanceof Stripe.errors.StripeInvalidRequestError &&
    err.statusCode === 400 &&
    !err.code?.startsWith('idempotency')
  ) {
    return {
      kind: 'failed',
      ref: err.payment_intent?.id ?? knownRef,
      code: err.code ?? 'invalid_request',
      message: err.message,
    };
  }
  return { kind: 'pending', ref: knownRef, reason: describe(err) };
}

function describe(err: unknown): string {
  if (err instanceof Stripe.errors.StripeError) {
    return `${err.type}${err.statusCode ? ` (${err.statusCode})` : ''}: ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}
