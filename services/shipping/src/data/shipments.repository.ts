// SQL for shipments and their outbox rows; returns plain objects.
import { prepared, type Queryable } from '@minishop/kit/db';
import type { ShipmentStatus } from '../domain/shipment-status.ts';

export interface Address {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  postal_code: string;
  country: string;
}

export interface Shipment {
  id: string;
  orderId: string;
  userId: string;
  status: ShipmentStatus;
  trackingNumber: string;
  carrier: string;
  address: Address;
  createdAt: Date;
  updatedAt: Date;
}

interface ShipmentRow {
  id: string;
  order_id: string;
  user_id: string;
  status: ShipmentStatus;
  tracking_number: string;
  carrier: string;
  address: Address;
  created_at: Date;
  updated_at: Date;
}

export const TRACKING_NUMBER_CONSTRAINT = 'shipments_tracking_number_key';

const COLUMNS = 'id, order_id, user_id, status, tracking_number, carrier, address, created_at, updated_at';

function toShipment(row: ShipmentRow): Shipment {
  return {
    id: row.id,
    orderId: row.order_id,
    userId: row.user_id,
    status: row.status,
    trackingNumber: row.tracking_number,
    carrier: row.carrier,
    address: row.address,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewShipment {
  id: string;
  orderId: string;
  userId: string;
  trackingNumber: string;
  carrier: string;
  address: Address;
}

/** Inserts the shipment; null when the order already has one. */
export async function insertShipment(db: Queryable, shipment: NewShipment): Promise<Shipment | null> {
  const { rows } = await db.query<ShipmentRow>(
    prepared(
      `INSERT INTO shipments (id, order_id, user_id, status, tracking_number, carrier, address)
     VALUES ($1, $2, $3, 'label_created', $4, $5, $6)
     ON CONFLICT (order_id) DO NOTHING
     RETURNING ${COLUMNS}`,
      [
        shipment.id,
        shipment.orderId,
        shipment.userId,
        shipment.trackingNumber,
        shipment.carrier,
        JSON.stringify(shipment.address),
      ],
    ),
  );
  return rows[0] ? toShipment(rows[0]) : null;
}

export async function shipmentById(db: Queryable, id: string, options: { lock?: boolean } = {}) {
  const { rows } = await db.query<ShipmentRow>(
    `SELECT ${COLUMNS} FROM shipments WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ? toShipment(rows[0]) : null;
}

export async function shipmentByOrderId(db: Queryable, orderId: string): Promise<Shipment | null> {
  const { rows } = await db.query<ShipmentRow>(`SELECT ${COLUMNS} FROM shipments WHERE order_id = $1`, [
    orderId,
  ]);
  return rows[0] ? toShipment(rows[0]) : null;
}

export async function updateShipmentStatus(
  db: Queryable,
  id: string,
  status: ShipmentStatus,
): Promise<Shipment> {
  const { rows } = await db.query<ShipmentRow>(
    `UPDATE shipments SET status = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, status],
  );
  if (!rows[0]) throw new Error(`shipment ${id} vanished during a status update`);
  return toShipment(rows[0]);
}
