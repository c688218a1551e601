// The sink's mailbox: messages in memory, the oldest dropped once the configured number is reached.
// Mail is kept as it arrived and parsed the first time something reads it (then kept parsed):
// receiving stays cheap, and mail nobody reads is never parsed.
import { randomBytes } from 'node:crypto';
import { buildMessage, type Envelope } from './message.builder.ts';
import type { StoredMessage } from './stored-message.ts';

interface Entry {
  ID: string;
  Raw: Buffer;
  /** Set once the message has been parsed. */
  message?: StoredMessage;
  parsing?: Promise<StoredMessage>;
  parse(): Promise<StoredMessage>;
}

export class MailStore {
  private readonly capacity: number;
  private readonly entries: Entry[] = [];
  private readonly byId = new Map<string, Entry>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Keeps raw mail as it arrived; returns its id. */
  add(raw: Buffer, envelope: Envelope, receivedAt = new Date()): string {
    const ID = randomBytes(16).toString('base64url');
    this.entries.push({ ID, Raw: raw, parse: () => buildMessage(raw, envelope, { ID, receivedAt }) });
    this.byId.set(ID, this.entries.at(-1) as Entry);
    while (this.entries.length > this.capacity) {
      const dropped = this.entries.shift();
      if (dropped) this.byId.delete(dropped.ID);
    }
    return ID;
  }

  /** Newest first. Parsed one after the other, so a large mailbox is not parsed all at once. */
  async list(): Promise<StoredMessage[]> {
    const messages: StoredMessage[] = [];
    for (const entry of this.entries.toReversed()) messages.push(entry.message ?? (await parsed(entry)));
    return messages;
  }

  /** A message by id; `latest` is the newest one. */
  async get(id: string): Promise<StoredMessage | undefined> {
    const entry = this.entry(id);
    return entry && parsed(entry);
  }

  /** The message as it arrived, without parsing it. */
  raw(id: string): Buffer | undefined {
    return this.entry(id)?.Raw;
  }

  delete(ids: readonly string[]): void {
    const doomed = new Set(ids);
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i] as Entry;
      if (doomed.has(entry.ID)) {
        this.entries.splice(i, 1);
        this.byId.delete(entry.ID);
      }
    }
  }

  clear(): void {
    this.entries.length = 0;
    this.byId.clear();
  }

  /** A message not parsed yet has not been read. */
  stats(): { total: number; unread: number } {
    return { total: this.entries.length, unread: this.entries.filter((e) => !e.message?.Read).length };
  }

  private entry(id: string): Entry | undefined {
    return id === 'latest' ? this.entries.at(-1) : this.byId.get(id);
  }
}

function parsed(entry: Entry): Promise<StoredMessage> {
  entry.parsing ??= entry.parse().then((message) => (entry.message = message));
  return entry.parsing;
}
