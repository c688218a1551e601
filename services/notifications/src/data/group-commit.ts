// Group commit: callers that want a write while an earlier one is on its way to the database
// are written together in the next statement, so a busy service makes one statement where it
// would make many, and a quiet one still writes each at once.
/** Writes the items of one call (all in the same statement) and answers one result per item, in order. */
export type GroupWriter<I, O> = (items: I[]) => Promise<O[]>;

/**
 * `write` gets the items of one group and answers one result per item, in order. A group holds
 * the items of whole calls, up to `maxGroup` items (more when one call has more). A group that
 * fails rejects all its calls.
 */
export function groupCommit<I, O>(write: (items: I[]) => Promise<O[]>, maxGroup = 200): GroupWriter<I, O> {
  type Waiting = { items: I[]; resolve: (value: O[]) => void; reject: (err: unknown) => void };
  let queue: Waiting[] = [];
  let writing = false;

  function nextGroup(): Waiting[] {
    let size = 0;
    let end = 0;
    while (end < queue.length && (end === 0 || size + queue[end]!.items.length <= maxGroup)) {
      size += queue[end]!.items.length;
      end += 1;
    }
    const group = queue.slice(0, end);
    queue = queue.slice(end);
    return group;
  }

  async function drain(): Promise<void> {
    writing = true;
    while (queue.length > 0) {
      const group = nextGroup();
      try {
        const results = await write(group.flatMap((w) => w.items));
        let at = 0;
        for (const w of group) {
          w.resolve(results.slice(at, at + w.items.length));
          at += w.items.length;
        }
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
    writing = false;
  }

  return (items) =>
    new Promise<O[]>((resolve, reject) => {
      queue.push({ items, resolve, reject });
      if (!writing) void drain();
    });
}
