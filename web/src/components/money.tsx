// Money as the API gives it (a decimal string and a currency) shown in the shopper's terms.
// The string goes to Intl as it is, so no amount passes through a float on its way to the page.

const formats = new Map<string, Intl.NumberFormat>();

export function formatMoney(amount: string, currency: string, locale = 'en-US'): string {
  const key = `${locale}:${currency}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formats.set(key, format);
  }
  return format.format(amount as Intl.StringNumericLiteral);
}

export function Money({
  amount,
  currency,
  className,
}: {
  amount: string;
  currency: string;
  className?: string;
}) {
  return (
    <span className={className ? `money ${className}` : 'money'} data-amount={amount}>
      {formatMoney(amount, currency)}
    </span>
  );
}
