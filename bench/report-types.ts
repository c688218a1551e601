// The shape of bench/report.json (docs/benchmarks.md describes each field).
import type { AuditReport } from './audit.ts';
import type { CheckoutResult, MaxResult, RateResult } from './jobs.ts';
import type { machine, Usage } from './proc.ts';

export interface PhaseReport {
  max: MaxResult & { loadgen_cpu_cores: number };
  rate?: RateResult & { loadgen_cpu_cores: number };
  /** CPU per process during the maximum-throughput phase, in cores. */
  cpu_cores: Record<string, number>;
  usage: Record<string, Usage>;
}

export interface ScenarioReport {
  name: string;
  requests_per_s: number;
  p50_ms: number | null;
  p99_ms: number | null;
  errors: number;
  ratio_to_baseline: number;
  fixed_rate_per_s?: number;
  connections: number;
  /** Share of the maximum phase's answers the gateway served from its cache of public reads. */
  gateway_cache_hit_share?: number;
  /** CPU that processes outside the benchmark used during each phase (noise; near 0 in a clean run). */
  other_cpu_cores: { max: number; fixed_rate?: number };
  detail: PhaseReport;
  checkout?: {
    max: CheckoutResult;
    rate: CheckoutResult;
    warmup_checkouts: number;
    /** PostgreSQL work per checkout, by database, including everything the checkouts set off. */
    postgres_per_checkout?: Record<string, PgWork>;
    /** HTTP requests each service answered per checkout, by `service METHOD route`, same span as the PostgreSQL work. */
    http_per_checkout?: Record<string, number>;
    /** CPU per checkout of each process (PostgreSQL's whole process tree included) in the maximum phase, in ms. */
    cpu_ms_per_checkout?: Record<string, number>;
  };
}

export interface Floor {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface Report {
  date: string;
  node: string;
  cpu_model: string;
  cores: number;
  machine: ReturnType<typeof machine>;
  phases: { max_seconds: number; fixed_rate_seconds: number; warmup_seconds: number };
  /** The baseline the ratios use: the higher of its two measurements (start and end of the run). */
  baseline_requests_per_s: number;
  baseline_runs_requests_per_s: number[];
  scenarios: ScenarioReport[];
  diagnostics: ScenarioReport[];
  /** Peak VmRSS per process over the run, in MB. */
  rss_mb: Record<string, number>;
  /** Peak RssAnon (private memory, without the shared node binary pages) per process, in MB. */
  rss_anon_mb: Record<string, number>;
  /** VmRSS per process after start-up, before any load, in MB. */
  rss_idle_mb: Record<string, number>;
  floors: Floor[];
  floors_met: boolean;
  audit: AuditReport | { skipped: string } | null;
  notes: string[];
  started_components: string[];
  missing_components: string[];
  total_seconds: number;
}

/** Database work per checkout, including everything the checkouts set off (relays, emails, webhooks). */
export interface PgWork {
  transactions: number;
  /** Statements run, BEGIN and COMMIT included (null when pg_stat_statements is not loaded). */
  statements: number | null;
  rows_written: number;
  rows_read: number;
}
