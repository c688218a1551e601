// The chaos run's figures: totals over the rounds, and a short text report of what broke where,
// with the seed that replays each violation.
import type { RoundReport } from './round.ts';

export interface ChaosSummary {
  seed: number;
  rounds: number;
  seconds: number;
  kills: number;
  freezes: number;
  crashes: number;
  checkouts: number;
  orders: number;
  orders_by_status: Record<string, number>;
  cancellations: number;
  emails: { expected: number; sent: number; duplicates: number };
  violations: number;
  /** Failed rounds, with what failed and the seed that replays each. */
  failed_rounds: Array<{ round: number; seed: number; checks: string[] }>;
}

export function summarise(seed: number, rounds: RoundReport[], seconds: number): ChaosSummary {
  const byStatus: Record<string, number> = {};
  const emails = { expected: 0, sent: 0, duplicates: 0 };
  let kills = 0;
  let freezes = 0;
  let crashes = 0;
  let checkouts = 0;
  let cancelled = 0;
  for (const r of rounds) {
    kills += r.faults.kills + r.faults.crashes;
    freezes += r.faults.freezes;
    crashes += r.faults.crashes;
    checkouts += r.shoppers.checkouts;
    cancelled += r.shoppers.cancelled;
    for (const [status, n] of Object.entries(r.audit.orders)) byStatus[status] = (byStatus[status] ?? 0) + n;
    emails.expected += r.audit.emails.expected;
    emails.sent += r.audit.emails.sent;
    emails.duplicates += r.audit.emails.duplicates;
  }
  return {
    seed,
    rounds: rounds.length,
    seconds,
    kills,
    freezes,
    crashes,
    checkouts,
    orders: Object.values(byStatus).reduce((a, b) => a + b, 0),
    orders_by_status: byStatus,
    cancellations: cancelled,
    emails,
    violations: rounds.reduce((n, r) => n + r.violations.length, 0),
    failed_rounds: rounds
      .filter((r) => r.violations.length > 0)
      .map((r) => ({ round: r.round, seed: r.seed, checks: r.violations.map((v) => v.check) })),
  };
}

export function renderChaosReport(summary: ChaosSummary, rounds: RoundReport[]): string {
  const lines = [
    `# Chaos run, seed ${summary.seed}`,
    '',
    `${summary.rounds} rounds in ${summary.seconds} s: ${summary.kills} kills (${summary.crashes} of them at crash points), ` +
      `${summary.freezes} freezes, ${summary.checkouts} checkouts, ${summary.orders} orders ` +
      `(${Object.entries(summary.orders_by_status)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}), ${summary.cancellations} cancellations that took.`,
    `Emails: ${summary.emails.sent} of ${summary.emails.expected} sent, ${summary.emails.duplicates} extra copies.`,
    '',
    summary.violations === 0 ? 'No invariant was violated.' : `**${summary.violations} violations:**`,
  ];
  for (const r of rounds) {
    for (const v of r.violations) {
      lines.push(
        `- round ${v.round} (replay: --seed ${summary.seed} --first-round ${v.round} --rounds 1) ${v.check} → ${v.owner}: ` +
          `${v.detail}${v.examples.length ? ` (${v.examples.slice(0, 3).join('; ')})` : ''}`,
      );
    }
  }
  return lines.join('\n');
}
