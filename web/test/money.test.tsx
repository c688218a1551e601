import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { formatMoney, Money } from '../src/components/money.tsx';

describe('money', () => {
  it('shows the server amount with its currency and two places', () => {
    expect(formatMoney('19.9', 'USD')).toBe('$19.90');
    expect(formatMoney('1234.5', 'USD')).toBe('$1,234.50');
    expect(formatMoney('0', 'EUR')).toBe('€0.00');
  });

  it('keeps cents exact where a float would drift', () => {
    expect(formatMoney('0.30', 'USD')).toBe('$0.30');
    expect(formatMoney('9999999999.99', 'USD')).toBe('$9,999,999,999.99');
  });

  it('renders the formatted amount', () => {
    render(<Money amount="24.68" currency="USD" />);
    expect(screen.getByText('$24.68')).toBeTruthy();
  });
});
