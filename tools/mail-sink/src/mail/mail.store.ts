// The sink's mailbox: messages in memory, the oldest dropped once the configured number is reached.
import type { StoredMessage } from './stored-message.ts';

export class MailStore {
  private readonly capacity: number;
  private readonly messages: StoredMessage[] = [];
  private readonly byId = new Map<string, StoredMessage>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  add(message: StoredMessage): void {
    this.messages.push(message);
    this.byId.set(message.ID, message);
    while (this.messages.length > this.capacity) {
      const dropped = this.messages.shift();
      if (dropped) this.byId.delete(dropped.ID);
    }
  }

  /** Newest first. */
  list(): StoredMessage[] {
    return this.messages.slice().reverse();
  }

  /** A message by id; `latest` is the newest one. */
  get(id: string): StoredMessage | undefined {
    return id === 'latest' ? this.messages.at(-1) : this.byId.get(id);
  }

  delete(ids: readonly string[]): void {
    const doomed = new Set(ids);
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const message = this.messages[i] as StoredMessage;
      if (doomed.has(message.ID)) {
        this.messages.splice(i, 1);
        this.byId.delete(message.ID);
      }
    }
  }

  clear(): void {
    this.messages.length = 0;
    this.byId.clear();
  }

  stats(): { total: number; unread: number } {
    return { total: this.messages.length, unread: this.messages.filter((m) => !m.Read).length };
  }
}
