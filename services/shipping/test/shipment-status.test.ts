import { describe, expect, it } from 'vitest';
import { canCancel, canMove, nextStatus } from '../src/domain/shipment-status.ts';

describe('shipment status', () => {
  it('only moves one step forward', () => {
    expect(canMove('label_created', 'in_transit')).toBe(true);
    expect(canMove('in_transit', 'delivered')).toBe(true);
    expect(canMove('label_created', 'delivered')).toBe(false);
    expect(canMove('in_transit', 'label_created')).toBe(false);
    expect(canMove('delivered', 'in_transit')).toBe(false);
    expect(canMove('in_transit', 'in_transit')).toBe(false);
    expect(nextStatus('delivered')).toBeNull();
    expect(nextStatus('cancelled')).toBeNull();
  });

  it('can be cancelled only before it leaves', () => {
    expect(canCancel('label_created')).toBe(true);
    expect(canCancel('in_transit')).toBe(false);
    expect(canCancel('delivered')).toBe(false);
  });
});
