// Joins concurrent calls for the same key onto one execution, so that simultaneous retries of a
// payment attempt in this process make one provider call (the provider's idempotency key covers
// calls from other replicas).
export class SingleFlight {
  private readonly inflight = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key);
    if (running) return running as Promise<T>;
    const started = work().finally(() => this.inflight.delete(key));
    this.inflight.set(key, started);
    return started;
  }
}
