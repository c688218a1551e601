// The emails themselves: a subject, a plain-text body and an HTML body per event type, showing the
// order as the customer saw it (items, quantities, prices, total, tracking number). Every value
// that came with the event is HTML-escaped before it enters the HTML body.
import { formatMoney, parseMoney } from '@minishop/kit/money';
import type {
  EmailVerificationData,
  EventType,
  OrderData,
  OrderCancelledData,
  OrderItem,
  PaymentFailedData,
  ShipmentData,
  ShippingAddress,
} from './notification-events.ts';

export interface RenderOptions {
  /** The shop's public base URL, for links given as a path. */
  publicUrl: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function money(amount: string | number): string {
  const cents = parseMoney(amount);
  return cents === null ? String(amount) : formatMoney(cents);
}

function lineTotal(item: OrderItem): string {
  if (item.line_total != null) return money(item.line_total);
  const unit = parseMoney(item.unit_price);
  return unit === null ? '' : formatMoney(unit * item.quantity);
}

const shortId = (orderId: string) => orderId.slice(0, 8).toUpperCase();
const itemName = (item: OrderItem) => item.name.trim() || 'Item';

function addressLines(address: ShippingAddress | null | undefined): string[] {
  if (!address) return [];
  const cityLine = [address.postal_code, address.city].filter(Boolean).join(' ');
  return [address.name, address.line1, address.line2, cityLine, address.country].filter(
    (line): line is string => typeof line === 'string' && line.trim() !== '',
  );
}

/** Paragraphs are given as text and escaped here; `strong` marks values to emphasise. */
type Paragraph = Array<string | { strong: string }>;

interface Layout {
  subject: string;
  greeting: string;
  paragraphs: Paragraph[];
  order?: OrderData;
  /** Show where the order goes. */
  address?: boolean;
  action?: { label: string; url: string };
  closing?: string;
}

function render(layout: Layout): RenderedEmail {
  const textParagraphs = layout.paragraphs.map((p) =>
    p.map((part) => (typeof part === 'string' ? part : part.strong)).join(''),
  );
  const htmlParagraphs = layout.paragraphs.map(
    (p) =>
      `<p>${p.map((part) => (typeof part === 'string' ? escapeHtml(part) : `<strong>${escapeHtml(part.strong)}</strong>`)).join('')}</p>`,
  );
  const text: string[] = [layout.greeting, '', ...textParagraphs.flatMap((p) => [p, ''])];
  const html: string[] = [`<p>${escapeHtml(layout.greeting)}</p>`, ...htmlParagraphs];

  if (layout.order) {
    const { order } = layout;
    text.push(`Order ${order.order_id}`);
    for (const item of order.items) {
      text.push(
        `  ${item.quantity} x ${itemName(item)} @ ${money(item.unit_price)} = ${lineTotal(item)} ${order.currency}`,
      );
    }
    text.push(`Total: ${money(order.total_price)} ${order.currency}`, '');
    const rows = order.items
      .map(
        (item) =>
          `<tr><td style="padding:4px 8px">${escapeHtml(itemName(item))}</td>` +
          `<td style="padding:4px 8px;text-align:right">${item.quantity}</td>` +
          `<td style="padding:4px 8px;text-align:right">${escapeHtml(money(item.unit_price))}</td>` +
          `<td style="padding:4px 8px;text-align:right">${escapeHtml(lineTotal(item))}</td></tr>`,
      )
      .join('');
    html.push(
      `<table style="border-collapse:collapse;margin:12px 0" aria-label="Order ${escapeHtml(order.order_id)}">` +
        `<caption style="text-align:left;padding:4px 8px">Order ${escapeHtml(order.order_id)}</caption>` +
        '<thead><tr><th style="padding:4px 8px;text-align:left">Item</th><th style="padding:4px 8px">Quantity</th>' +
        '<th style="padding:4px 8px">Unit price</th><th style="padding:4px 8px">Line total</th></tr></thead>' +
        `<tbody>${rows}</tbody>` +
        `<tfoot><tr><td colspan="3" style="padding:4px 8px;text-align:right"><strong>Total</strong></td>` +
        `<td style="padding:4px 8px;text-align:right"><strong>${escapeHtml(money(order.total_price))} ${escapeHtml(order.currency)}</strong></td></tr></tfoot>` +
        '</table>',
    );
  }
  const address = layout.address ? addressLines(layout.order?.shipping_address) : [];
  if (address.length > 0) {
    text.push('Shipping to:', ...address.map((line) => `  ${line}`), '');
    html.push(`<p>Shipping to:<br>${address.map(escapeHtml).join('<br>')}</p>`);
  }
  if (layout.action) {
    text.push(`${layout.action.label}: ${layout.action.url}`, '');
    html.push(
      `<p><a href="${escapeHtml(layout.action.url)}" style="display:inline-block;padding:8px 16px;background:#2b6cb0;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(layout.action.label)}</a></p>`,
      `<p style="font-size:12px;color:#666">Or open this link: ${escapeHtml(layout.action.url)}</p>`,
    );
  }
  const closing = layout.closing ?? 'Thank you for shopping with Minishop.';
  text.push(closing, '', '-- ', 'Minishop');
  html.push(`<p>${escapeHtml(closing)}</p>`);
  return {
    subject: layout.subject,
    text: text.join('\n'),
    html:
      '<!doctype html><html><head><meta charset="utf-8">' +
      `<title>${escapeHtml(layout.subject)}</title></head>` +
      '<body style="font-family:Helvetica,Arial,sans-serif;color:#222;line-height:1.5">' +
      html.join('\n') +
      '<p style="font-size:12px;color:#888">Minishop</p></body></html>',
  };
}

function greet(data: { username?: string | null; shipping_address?: ShippingAddress | null }): string {
  const name = data.username ?? data.shipping_address?.name;
  return name ? `Hello ${name},` : 'Hello,';
}

export function renderEmail(type: EventType, data: unknown, options: RenderOptions): RenderedEmail {
  switch (type) {
    case 'OrderPlaced': {
      const order = data as OrderData;
      return render({
        subject: `Order ${shortId(order.order_id)} received`,
        greeting: greet(order),
        paragraphs: [['Thank you for your order. We have received it and are processing your payment.']],
        order,
        address: true,
      });
    }
    case 'PaymentConfirmed': {
      const order = data as OrderData;
      return render({
        subject: `Payment confirmed for order ${shortId(order.order_id)}`,
        greeting: greet(order),
        paragraphs: [
          ['We received your payment of ', { strong: `${money(order.total_price)} ${order.currency}` }, '.'],
          ['Your order is being prepared for shipping; we will email you its tracking number.'],
        ],
        order,
        address: true,
      });
    }
    case 'PaymentFailed': {
      const order = data as PaymentFailedData;
      const reason = order.failure_message ?? order.reason ?? 'The payment was declined.';
      return render({
        subject: `Payment failed for order ${shortId(order.order_id)}`,
        greeting: greet(order),
        paragraphs: [
          ['We could not take the payment for your order. ', reason],
          ['Nothing was charged. You can retry the payment with another card from your orders page.'],
        ],
        order,
      });
    }
    case 'Shipped': {
      const order = data as ShipmentData;
      return render({
        subject: `Order ${shortId(order.order_id)} has shipped`,
        greeting: greet(order),
        paragraphs: [
          ['Your order is on its way.'],
          [
            'Tracking number: ',
            { strong: order.tracking_number },
            ...(order.carrier ? [` (${order.carrier})`] : []),
          ],
        ],
        order,
        address: true,
      });
    }
    case 'Delivered': {
      const order = data as OrderData;
      return render({
        subject: `Order ${shortId(order.order_id)} was delivered`,
        greeting: greet(order),
        paragraphs: [['Your order has been delivered. We hope you enjoy it.']],
        order,
      });
    }
    case 'OrderCancelled':
      return cancellation(data as OrderCancelledData);
    case 'EmailVerification': {
      const verification = data as EmailVerificationData;
      // A path is appended to the public URL as text, so it can never point at another host.
      const url =
        verification.verify_url ??
        `${options.publicUrl.replace(/\/+$/, '')}${verification.verification_path ?? '/'}`;
      return render({
        subject: 'Verify your email address',
        greeting: greet(verification),
        paragraphs: [
          ['Please confirm that this is your email address to finish setting up your Minishop account.'],
        ],
        action: { label: 'Verify email address', url },
        closing: 'If you did not create a Minishop account, you can ignore this email.',
      });
    }
    default:
      throw new Error(`no template for event type ${String(type)}`);
  }
}

/** Why the order was cancelled, what became of the money, and (out of stock) what ran out. */
function cancellation(order: OrderCancelledData): RenderedEmail {
  const paid = { strong: `${money(order.total_price)} ${order.currency}` };
  const refund: Paragraph[] = order.refunded
    ? [
        [
          'Your payment of ',
          paid,
          ' has been refunded. It can take a few business days to show on your statement.',
        ],
      ]
    : [];
  const layout = {
    subject: `Order ${shortId(order.order_id)} was cancelled`,
    greeting: greet(order),
    order,
    closing: 'We are sorry for the trouble. Thank you for shopping with Minishop.',
  };
  switch (order.reason) {
    case 'out_of_stock':
      // No price was ever fixed for this order: its items are listed without one.
      return render({
        ...layout,
        order: undefined,
        paragraphs: [
          ['Some items of your order ran out before we could reserve them, so we have cancelled it.'],
          ['Nothing was charged.'],
          ...(order.short ?? []).map((item): Paragraph => [
            `${item.name?.trim() || 'An item'}: you asked for ${item.requested}, ${item.available} left.`,
          ]),
          ...order.items.map((item): Paragraph => [`In your order: ${item.quantity} x ${itemName(item)}`]),
        ],
        closing: 'You can place the order again with what is in stock. Thank you for shopping with Minishop.',
      });
    case 'stock_lost_after_payment':
      return render({
        ...layout,
        paragraphs: [
          [
            'We could not ship your order: an item sold out before we could set it aside for you, so we have cancelled it.',
          ],
          ...refund,
        ],
      });
    case 'requested':
      return render({
        ...layout,
        paragraphs: [['Your order has been cancelled, as you asked.'], ...refund],
        closing: undefined,
      });
    case 'by_shop':
      return render({ ...layout, paragraphs: [['We have cancelled your order.'], ...refund] });
    default:
      return render({ ...layout, paragraphs: [['Your order has been cancelled.'], ...refund] });
  }
}
