import { describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from '../src/money.ts';

describe('money', () => {
  it.each([
    ['19.99', 1999],
    ['19.9', 1990],
    ['19', 1900],
    [19.99, 1999],
    [0.1, 10],
    ['0.07', 7],
  ])('parses %s into %i cents', (input, cents) => {
    expect(parseMoney(input)).toBe(cents);
  });

  it.each(['19.999', '-1.00', '1e3', '', ' 1', '01.00', 'NaN', '1.'])('rejects %j', (input) => {
    expect(parseMoney(input)).toBeNull();
  });

  it('rejects numbers with more than two decimals and non-finite numbers', () => {
    expect(parseMoney(1.005)).toBeNull();
    expect(parseMoney(Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('formats cents with two places', () => {
    expect(formatMoney(5997)).toBe('59.97');
    expect(formatMoney(5)).toBe('0.05');
    expect(formatMoney(0)).toBe('0.00');
  });
});
