import { describe, expect, it } from 'vitest';
import {
  validateAddress,
  validateProduct,
  validateRegister,
  validateSignIn,
} from '../src/forms/validation.ts';

const ADDRESS = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  line2: '',
  city: 'London',
  postal_code: 'SW1Y 4JH',
  country: 'GB',
};

describe('the address form', () => {
  it('accepts a complete address without the optional second line', () => {
    expect(validateAddress(ADDRESS)).toEqual({});
  });

  it('names each missing field in words', () => {
    const errors = validateAddress({ ...ADDRESS, name: ' ', city: '', postal_code: '', country: '' });
    expect(errors).toEqual({
      name: 'Enter the full name.',
      city: 'Enter the city.',
      postal_code: 'Enter the postal code.',
      country: 'Enter the country.',
    });
  });

  it('refuses a postal code with symbols', () => {
    expect(validateAddress({ ...ADDRESS, postal_code: '12#45' }).postal_code).toMatch(/letters, digits/);
  });
});

describe('registration', () => {
  it('explains the username, email and password rules', () => {
    expect(validateRegister({ username: 'a!', email: 'nope', password: 'short' })).toEqual({
      username: 'Use 3 to 32 letters, digits, dots, dashes or underscores.',
      email: 'Enter an email address like name@example.com.',
      password: 'Use at least 8 characters.',
    });
  });

  it('accepts what the API accepts', () => {
    expect(
      validateRegister({ username: 'ada.l-1', email: 'ada@example.com', password: 'correct horse' }),
    ).toEqual({});
  });
});

describe('sign in', () => {
  it('asks for both fields', () => {
    expect(Object.keys(validateSignIn({ username: '', password: '' }))).toEqual(['username', 'password']);
  });
});

describe('the product form', () => {
  it('takes prices with at most two decimals and whole stock counts', () => {
    const ok = { name: 'Mug', description: '', price: '12.50', stock: '3' };
    expect(validateProduct(ok)).toEqual({});
    expect(validateProduct({ ...ok, price: '12.505' }).price).toMatch(/two decimals/);
    expect(validateProduct({ ...ok, price: '-1' }).price).toBeDefined();
    expect(validateProduct({ ...ok, stock: '2.5' }).stock).toMatch(/whole number/);
  });
});
