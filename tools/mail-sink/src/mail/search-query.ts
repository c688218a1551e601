// A subset of Mailpit's search syntax: words and "quoted phrases" match anywhere (subject,
// addresses, body); `to:`, `from:`, `cc:`, `bcc:`, `subject:`, `message-id:` match one field;
// `is:read`, `is:unread`, `has:attachment`; a leading `-` or `!` negates. All terms must match,
// case-insensitively.
import type { MailAddress, StoredMessage } from './stored-message.ts';

type Field = 'any' | 'to' | 'from' | 'cc' | 'bcc' | 'subject' | 'message-id' | 'is' | 'has';

interface Term {
  field: Field;
  value: string;
  negate: boolean;
}

const FIELDS = new Set<Field>(['to', 'from', 'cc', 'bcc', 'subject', 'message-id', 'is', 'has']);
const TOKEN = /([-!]?)(?:([a-zA-Z-]+):)?(?:"([^"]*)"?|(\S+))/g;

export function parseQuery(query: string): Term[] {
  const terms: Term[] = [];
  for (const match of query.matchAll(TOKEN)) {
    const [whole, negation, prefix, quoted, bare] = match;
    const field = prefix?.toLowerCase() as Field | undefined;
    const value = (quoted ?? bare ?? '').toLowerCase();
    if (field && FIELDS.has(field)) {
      terms.push({ field, value, negate: negation !== '' });
    } else {
      // An unknown prefix (say, a URL scheme) is part of the word.
      const word = (prefix ? whole.slice(negation?.length ?? 0) : value).replace(/"/g, '').toLowerCase();
      if (word) terms.push({ field: 'any', value: word, negate: negation !== '' });
    }
  }
  return terms;
}

export function matchesQuery(message: StoredMessage, terms: readonly Term[]): boolean {
  return terms.every((term) => matchesTerm(message, term) !== term.negate);
}

function matchesTerm(m: StoredMessage, { field, value }: Term): boolean {
  switch (field) {
    case 'any':
      return m.searchText.includes(value);
    case 'to':
      // Envelope-only recipients count: the question is who the mail went to.
      return anyAddress([...m.To, ...m.Bcc], value);
    case 'from':
      return anyAddress(m.From ? [m.From] : [], value);
    case 'cc':
      return anyAddress(m.Cc, value);
    case 'bcc':
      return anyAddress(m.Bcc, value);
    case 'subject':
      return m.Subject.toLowerCase().includes(value);
    case 'message-id':
      return m.MessageID.toLowerCase().includes(value);
    case 'is':
      return value === 'read' ? m.Read : value === 'unread' ? !m.Read : false;
    case 'has':
      return value.startsWith('attachment') ? m.Attachments.length > 0 : false;
  }
}

function anyAddress(list: readonly MailAddress[], value: string): boolean {
  return list.some((a) => `${a.Name} <${a.Address}>`.toLowerCase().includes(value));
}
