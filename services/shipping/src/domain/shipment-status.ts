// The shipment state machine: a shipment only ever moves one step forward,
// label_created → in_transit → delivered; a shipment that has not left yet can be cancelled
// (when its order is cancelled or refunded).

export const SHIPMENT_STATUSES = ['label_created', 'in_transit', 'delivered', 'cancelled'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

/** Statuses an admin sets by hand, in order. */
export const FORWARD_STATUSES = ['label_created', 'in_transit', 'delivered'] as const;
export type ForwardStatus = (typeof FORWARD_STATUSES)[number];

const NEXT: Record<ShipmentStatus, ShipmentStatus | null> = {
  label_created: 'in_transit',
  in_transit: 'delivered',
  delivered: null,
  cancelled: null,
};

export function canMove(from: ShipmentStatus, to: ShipmentStatus): boolean {
  return NEXT[from] === to;
}

export function nextStatus(from: ShipmentStatus): ShipmentStatus | null {
  return NEXT[from];
}

/** Only a shipment that has not left the warehouse can be cancelled. */
export function canCancel(from: ShipmentStatus): boolean {
  return from === 'label_created';
}
