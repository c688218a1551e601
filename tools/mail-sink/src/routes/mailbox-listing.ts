// Mailpit's list envelope shared by /messages and /search: mailbox totals, the totals of what
// matched, and one page of message summaries.
import { Type } from '@sinclair/typebox';
import type { MailStore } from '../mail/mail.store.ts';
import { messageSummary, type StoredMessage } from '../mail/stored-message.ts';

export const PageQuery = {
  start: Type.Integer({ minimum: 0, default: 0 }),
  limit: Type.Integer({ minimum: 0, maximum: 100_000, default: 50 }),
};
interface Page {
  start: number;
  limit: number;
}

export function listing(store: MailStore, matched: StoredMessage[], page: Page) {
  const { total, unread } = store.stats();
  // Mailpit treats a limit of 0 as "the default page size".
  const limit = page.limit === 0 ? 50 : page.limit;
  const messages = matched.slice(page.start, page.start + limit).map(messageSummary);
  return {
    total,
    unread,
    count: messages.length,
    messages_count: matched.length,
    messages_unread: matched.filter((m) => !m.Read).length,
    start: page.start,
    tags: [] as string[],
    messages,
  };
}
