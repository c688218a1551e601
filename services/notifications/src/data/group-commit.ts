// Group commit: callers that want a write while an earlier one is on its way to the database
// are written together in the next statement, so a busy service makes one statement where it
// would make many, and a quiet one still writes each at once.
export type GroupWriter<I, O> = (item: I) => Promise<O>;

/**
 * `write` gets the items of one group and answers one result per item, in order. A group that
 * fails rejects the calls of all its items.
 */
export function groupCommit<I, O>(write: (items: I[]) => Promise<O[]>, maxGroup = 200): GroupWriter<I, O> {
  type Waiting = { item: I; resolve: (value: O) => void; reject: (err: unknown) => void };
  let queue: Waiting[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    writing = true;
    while (queue.length > 0) {
      const group = queue.slice(0, maxGroup);
      queue = queue.slice(group.length);
      try {
        const results = await write(group.map((w) => w.item));
        group.forEach((w, i) => w.resolve(results[i] as O));
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
    writing = false;
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!writing) void drain();
    });
}
