// Shipment use cases: create one per order (idempotent), read it as its owner, an admin or a
// service, and move it forward, recording each move in the outbox in the same transaction.
import { randomUUID } from 'node:crypto';
import type { Principal } from '@minishop/kit/auth-guard';
import { isUniqueViolation, withTransaction, type Pool } from '@minishop/kit/db';
import { Conflict, NotFound } from '@minishop/kit/errors';
import { addEvent } from '../data/outbox.repository.ts';
import {
  insertShipment,
  shipmentById,
  shipmentByOrderId,
  TRACKING_NUMBER_CONSTRAINT,
  updateShipmentStatus,
  type Address,
  type Shipment,
} from '../data/shipments.repository.ts';
import { canCancel, canMove, type ForwardStatus } from './shipment-status.ts';

export interface ShippingDeps {
  pool: Pool;
  carrier: string;
  trackingNumber: () => string;
  /** Called after a status change is committed, so the relay sends it without waiting. */
  onEventRecorded: () => void;
}

export interface CreateShipment {
  orderId: string;
  userId: string;
  address: Address;
}

/** Scopes that let a service read shipments. */
const READ_SCOPES = ['shipping:read', 'shipping:create'];

const TRACKING_ATTEMPTS = 5;

/** Creates the order's shipment, or returns the one it already has (created: false). */
export async function createShipment(
  deps: ShippingDeps,
  input: CreateShipment,
): Promise<{ shipment: Shipment; created: boolean }> {
  for (let attempt = 1; attempt <= TRACKING_ATTEMPTS; attempt++) {
    try {
      const created = await insertShipment(deps.pool, {
        id: randomUUID(),
        orderId: input.orderId,
        userId: input.userId,
        trackingNumber: deps.trackingNumber(),
        carrier: deps.carrier,
        address: input.address,
      });
      if (created) return { shipment: created, created: true };
      const existing = await shipmentByOrderId(deps.pool, input.orderId);
      if (!existing) continue;
      if (existing.userId !== input.userId) {
        throw new Conflict('this order already has a shipment for another user', {
          shipment_id: existing.id,
        });
      }
      return { shipment: existing, created: false };
    } catch (err) {
      if (isUniqueViolation(err, TRACKING_NUMBER_CONSTRAINT)) continue;
      throw err;
    }
  }
  throw new Error(`no free tracking number after ${TRACKING_ATTEMPTS} attempts`);
}

function mayRead(principal: Principal, shipment: Shipment): boolean {
  if (principal.role === 'admin') return true;
  if (principal.role === 'service') return READ_SCOPES.some((scope) => principal.scopes.has(scope));
  return principal.id === shipment.userId;
}

/** The shipment if the caller may see it; otherwise it does not exist for them. */
export async function getShipment(deps: ShippingDeps, principal: Principal, id: string): Promise<Shipment> {
  const shipment = await shipmentById(deps.pool, id);
  if (!shipment || !mayRead(principal, shipment)) throw new NotFound('shipment');
  return shipment;
}

export function mayListShipments(principal: Principal): boolean {
  return (
    principal.role === 'admin' ||
    (principal.role === 'service' && READ_SCOPES.some((s) => principal.scopes.has(s)))
  );
}

export async function shipmentsOfOrder(deps: ShippingDeps, orderId: string): Promise<Shipment[]> {
  const shipment = await shipmentByOrderId(deps.pool, orderId);
  return shipment ? [shipment] : [];
}

/** Moves the shipment one step forward and records the change for Orders. */
export async function changeStatus(deps: ShippingDeps, id: string, status: ForwardStatus): Promise<Shipment> {
  const updated = await withTransaction(deps.pool, async (tx) => {
    const shipment = await shipmentById(tx, id, { lock: true });
    if (!shipment) throw new NotFound('shipment');
    if (status === 'label_created' || !canMove(shipment.status, status)) {
      throw new Conflict(`a shipment cannot go from ${shipment.status} to ${status}`, {
        current_status: shipment.status,
      });
    }
    const next = await updateShipmentStatus(tx, id, status);
    await addEvent(tx, {
      eventId: randomUUID(),
      shipmentId: id,
      orderId: shipment.orderId,
      status,
    });
    return next;
  });
  deps.onEventRecorded();
  return updated;
}

/**
 * Cancels a shipment that has not left yet (its order was cancelled or refunded). Repeating
 * the call is harmless; a shipment already on its way cannot be cancelled.
 */
export async function cancelShipment(deps: ShippingDeps, id: string): Promise<Shipment> {
  return withTransaction(deps.pool, async (tx) => {
    const shipment = await shipmentById(tx, id, { lock: true });
    if (!shipment) throw new NotFound('shipment');
    if (shipment.status === 'cancelled') return shipment;
    if (!canCancel(shipment.status)) {
      throw new Conflict(`a shipment that is ${shipment.status} cannot be cancelled`, {
        current_status: shipment.status,
      });
    }
    return updateShipmentStatus(tx, id, 'cancelled');
  });
}
