// Reading Stripe-style request parameters (form-decoded strings, or JSON values) with the
// error messages and codes Stripe uses for missing, unknown and malformed parameters.
import { invalidRequest, missingParam } from './provider-error.ts';

export type Params = Record<string, unknown>;

const MAX_AMOUNT = 99_999_999;

export function rejectUnknown(params: Params, allowed: readonly string[]): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) {
      throw invalidRequest(`Received unknown parameter: ${key}`, { code: 'parameter_unknown', param: key });
    }
  }
}

export function readString(params: Params, name: string, maxLength = 5000): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw invalidRequest(`Invalid string: ${describe(value)}`, {
      code: 'parameter_invalid_string',
      param: name,
    });
  }
  if (value.length > maxLength) {
    throw invalidRequest(`Invalid string: must be at most ${maxLength} characters`, {
      code: 'parameter_invalid_string',
      param: name,
    });
  }
  return value;
}

/** An amount in the currency's minor unit: a positive integer of at most eight digits. */
export function readAmount(params: Params, name: string): number | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,15}$/.test(text)) {
    throw invalidRequest(`Invalid integer: ${describe(value)}`, {
      code: 'parameter_invalid_integer',
      param: name,
    });
  }
  const amount = Number(text);
  if (amount < 1) {
    throw invalidRequest('This value must be greater than or equal to 1.', {
      code: 'parameter_invalid_integer',
      param: name,
    });
  }
  if (amount > MAX_AMOUNT) {
    throw invalidRequest(`Amount must be no more than ${MAX_AMOUNT}`, {
      code: 'amount_too_large',
      param: name,
    });
  }
  return amount;
}

export function requireAmount(params: Params, name: string): number {
  const amount = readAmount(params, name);
  if (amount === undefined) throw missingParam(name);
  return amount;
}

export function requireCurrency(params: Params): string {
  const value = params.currency;
  if (value === undefined) throw missingParam('currency');
  if (typeof value !== 'string' || !/^[a-zA-Z]{3}$/.test(value)) {
    throw invalidRequest(`Invalid currency: ${describe(value)}`, {
      code: 'parameter_invalid_string',
      param: 'currency',
    });
  }
  return value.toLowerCase();
}

export function readBoolean(params: Params, name: string): boolean | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalidRequest(`Invalid boolean: ${describe(value)}`, {
    code: 'parameter_invalid_boolean',
    param: name,
  });
}

/** Metadata as Stripe limits it: up to 50 string values, keys up to 40 and values up to 500 characters. */
export function readMetadata(params: Params): Record<string, string> {
  const value = params.metadata;
  if (value === undefined || value === '') return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequest('Invalid object', { code: 'parameter_invalid_empty', param: 'metadata' });
  }
  const entries = Object.entries(value);
  if (entries.length > 50) throw invalidRequest('Metadata may have at most 50 keys.', { param: 'metadata' });
  const metadata: Record<string, string> = {};
  for (const [key, item] of entries) {
    const param = `metadata[${key}]`;
    if (key.length > 40) throw invalidRequest('Metadata keys must be at most 40 characters.', { param });
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
      throw invalidRequest(`Invalid string: ${describe(item)}`, { code: 'parameter_invalid_string', param });
    }
    const text = String(item);
    if (text.length > 500) throw invalidRequest('Metadata values must be at most 500 characters.', { param });
    // Stripe treats an empty value as "unset this key".
    if (text !== '') metadata[key] = text;
  }
  return metadata;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
