// What the benchmark asks of its load generator process, and what it answers.
import type { LatencySummary } from './stats.ts';

export interface HttpTarget {
  /** http://host:port */
  origin: string;
  method: 'GET' | 'POST';
  /** Requests cycle through these paths. */
  paths: string[];
  headers?: Record<string, string>;
  body?: string;
}

/** Closed loop, as fast as the server answers: `connections` requests in flight at all times. */
export interface MaxJob {
  kind: 'max';
  target: HttpTarget;
  connections: number;
  durationS: number;
  warmupS: number;
}

/**
 * Open loop at a fixed rate: request i is due at start + i/rate, whether or not earlier ones have
 * been answered, and its latency is measured from when it was due (no coordinated omission).
 */
export interface RateJob {
  kind: 'rate';
  target: HttpTarget;
  rate: number;
  durationS: number;
  /** Most connections opened; requests beyond that wait for one (and the wait counts). */
  connections: number;
}

export interface ShopUser {
  email: string;
  token: string;
}

/**
 * Checkouts through the gateway: each one adds a product to the user's cart (POST /cart/items)
 * and places the order (POST /orders, pm_card_visa). A user does one checkout at a time.
 * `max`: every user loops as fast as it can. `rate`: checkouts are due at a fixed rate and each
 * takes the next free user; latency counts from when it was due.
 */
export interface CheckoutJob {
  kind: 'checkout';
  gateway: string;
  mode: 'max' | 'rate';
  users: ShopUser[];
  productIds: string[];
  durationS: number;
  rate?: number;
  /** Users racing for the few units of one product while the checkouts run. */
  contention?: { productId: string; users: ShopUser[] };
}

export type Job = MaxJob | RateJob | CheckoutJob;

export interface Outcome {
  ok: number;
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
}

export interface MaxResult extends Outcome {
  kind: 'max';
  requests_per_s: number;
  duration_s: number;
  /** Closed-loop latency (hides queueing; the fixed-rate phase is the one to read). */
  latency: LatencySummary;
}

export interface RateResult extends Outcome {
  kind: 'rate';
  target_rate: number;
  achieved_rate: number;
  duration_s: number;
  latency: LatencySummary;
}

export interface CheckoutResult extends Outcome {
  kind: 'checkout';
  mode: 'max' | 'rate';
  checkouts: number;
  checkouts_per_s: number;
  duration_s: number;
  target_rate?: number;
  /** A whole checkout: add to cart + place the order. */
  latency: LatencySummary;
  /** POST /orders alone. */
  order_latency: LatencySummary;
  /** Orders answered 201 whose status was not paid. */
  unpaid: number;
  contention?: {
    attempts: number;
    paid: number;
    sold_out: number;
    other: number;
    statuses: Record<string, number>;
  };
}

export type JobResult = (MaxResult | RateResult | CheckoutResult) & {
  /** CPU the load generator itself used during the job, as a share of one core. */
  loadgen_cpu_cores: number;
};
