// One worker's pass over an order of the checkout saga: what it needs, the name its lease carries,
// and the clock of that lease, by which every remote call of the pass must be over.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Counter } from 'prom-client';
import type { Pool } from '@minishop/kit/db';
import type { SagaStep } from '../data/orders.repository.ts';
import type { Lease } from '../data/saga.repository.ts';
import type { Upstreams } from './upstreams.ts';

export interface SagaDeps {
  pool: Pool;
  upstreams: Upstreams;
  log: FastifyBaseLogger;
  /** How long a worker holds an order for one step. */
  leaseMs: number;
  /** How long a charge may take at most: the charging step holds its order this much longer. */
  paymentTimeoutMs: number;
  /** Tells the outbox relay that an event was just committed, so it sends it now. */
  outboxWake?: () => void;
  /** Counts checkouts by how they ended: paid, payment_failed or out_of_stock. */
  checkouts?: Counter<'outcome'>;
  /** Test stacks only: kills the process at the configured point (place, reserve, charge, shipment). */
  crashPoint?: (point: 'place' | 'reserve' | 'charge' | 'shipment') => void;
}

/** One worker's pass over an order. */
export interface Pass {
  deps: SagaDeps;
  /** The name this worker's lease carries. */
  owner: string;
  /** A request waits for the outcome (and tells the buyer about missing stock itself). */
  answering: boolean;
  /** The request's Idempotency-Key, whose answer is stored when the order never comes to be. */
  key?: { userId: string; key: string };
  /** When this worker's lease on the order ends, as a `performance.now()` instant. */
  leaseEnd: number;
}

/** The lease lengths a claim takes: a charge may take longer than the other steps. */
export function leaseOf(deps: SagaDeps): Lease {
  return { ms: deps.leaseMs, chargingMs: deps.leaseMs + deps.paymentTimeoutMs };
}

export function leaseFor(deps: SagaDeps, step: SagaStep): number {
  return step === 'charging' ? leaseOf(deps).chargingMs : deps.leaseMs;
}

export function newPass(deps: SagaDeps, options: Partial<Omit<Pass, 'deps'>> = {}): Pass {
  return { deps, owner: randomUUID(), answering: false, leaseEnd: 0, ...options };
}

/**
 * Starts the clock of a lease about to be taken: the statement that takes it sets its end from
 * the database's clock at some moment after this one, so the lease ends no earlier than the
 * returned function records. Call that with the lease's length once the statement took it.
 */
export function leaseClock(pass: Pass): (ms: number) => void {
  const sent = performance.now();
  return (ms) => {
    pass.leaseEnd = sent + ms;
  };
}

/**
 * The instant by which a worker's remote calls must be over: a little before its lease ends, so
 * that no call of a worker that lost its lease (slow, or paused) is still being sent when
 * another worker takes the order over.
 */
export function callDeadline(pass: Pass): number {
  return pass.leaseEnd - Math.min(1_000, pass.deps.leaseMs / 10);
}
