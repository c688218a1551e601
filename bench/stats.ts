// Latency bookkeeping for the load generator: raw samples in milliseconds, percentiles on demand.

export class Latencies {
  private values: Float64Array;
  private n = 0;

  constructor(capacity = 1024) {
    this.values = new Float64Array(capacity);
  }

  add(ms: number): void {
    if (this.n === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.n++] = ms;
  }

  get count(): number {
    return this.n;
  }

  summary(): LatencySummary {
    const sorted = this.values.slice(0, this.n).sort();
    const at = (q: number) => (this.n === 0 ? 0 : sorted[Math.min(this.n - 1, Math.ceil(q * this.n) - 1)]!);
    const r = (v: number) => Math.round(v * 100) / 100;
    return {
      count: this.n,
      p50_ms: r(at(0.5)),
      p90_ms: r(at(0.9)),
      p99_ms: r(at(0.99)),
      max_ms: r(this.n === 0 ? 0 : sorted[this.n - 1]!),
    };
  }
}

export interface LatencySummary {
  count: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
}
