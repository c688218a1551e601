// The checks a form makes before it sends anything, mirroring the API's own rules so that a
// shopper learns what to fix next to the field instead of from a failed request.

export type Errors<T> = Partial<Record<keyof T & string, string>>;
export type Validator<T> = (values: T) => Errors<T>;

export type AddressValues = {
  name: string;
  line1: string;
  line2: string;
  city: string;
  postal_code: string;
  country: string;
};

export type RegisterValues = {
  username: string;
  email: string;
  password: string;
};

export type SignInValues = {
  username: string;
  password: string;
};

export type ProductValues = {
  name: string;
  description: string;
  price: string;
  stock: string;
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const USERNAME = /^[a-zA-Z0-9_.-]{3,32}$/;
const MONEY = /^(0|[1-9]\d{0,9})(\.\d{1,2})?$/;
const COUNTRY = /^[A-Za-z]{2}$/;

function required<T>(values: T, labels: Partial<Record<keyof T & string, string>>): Errors<T> {
  const errors: Errors<T> = {};
  for (const [field, label] of Object.entries(labels) as [keyof T & string, string][]) {
    if (String(values[field] ?? '').trim() === '') errors[field] = `Enter ${label}.`;
  }
  return errors;
}

export const validateAddress: Validator<AddressValues> = (v) => {
  const errors = required(v, {
    name: 'the full name',
    line1: 'the street address',
    city: 'the city',
    postal_code: 'the postal code',
    country: 'the country',
  });
  if (!errors.postal_code && !/^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$/.test(v.postal_code.trim()))
    errors.postal_code = 'Enter a postal code of letters, digits, spaces or dashes.';
  if (!errors.country && !COUNTRY.test(v.country.trim())) errors.country = 'Choose a country.';
  return errors;
};

export const validateRegister: Validator<RegisterValues> = (v) => {
  const errors = required(v, { username: 'a username', email: 'your email address', password: 'a password' });
  if (!errors.username && !USERNAME.test(v.username))
    errors.username = 'Use 3 to 32 letters, digits, dots, dashes or underscores.';
  if (!errors.email && !EMAIL.test(v.email.trim()))
    errors.email = 'Enter an email address like name@example.com.';
  if (!errors.password && v.password.length < 8) errors.password = 'Use at least 8 characters.';
  if (!errors.password && v.password.length > 128) errors.password = 'Use at most 128 characters.';
  return errors;
};

export const validateSignIn: Validator<SignInValues> = (v) =>
  required(v, { username: 'your username or email', password: 'your password' });

export const validateProduct: Validator<ProductValues> = (v) => {
  const errors = required(v, { name: 'a name', price: 'a price', stock: 'the stock' });
  if (!errors.name && v.name.trim().length > 200) errors.name = 'Use at most 200 characters.';
  if (!errors.price && !MONEY.test(v.price.trim()))
    errors.price = 'Enter an amount like 19.99 (at most two decimals).';
  if (!errors.stock && !/^\d{1,10}$/.test(v.stock.trim())) errors.stock = 'Enter a whole number, 0 or more.';
  if (v.description.length > 5000) errors.description = 'Use at most 5000 characters.';
  return errors;
};
