// `npm run chaos -- --seed N --rounds R`: starts the whole shop (fresh data, free ports), runs R
// seeded rounds of concurrent checkouts while processes are killed, frozen and crashed at their
// crash points, audits each round, and writes a report. Exits 1 when any invariant was violated.
// A round replays alone with `--seed <its seed> --rounds 1 --first-round <its index>`
// (docs/chaos.md).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startStack, type RunningStack } from '../../tools/launcher/src/stack.ts';
import { roundSeed } from './rng.ts';
import { kindOf, runRound, type RoundReport } from './round.ts';
import { renderChaosReport, summarise } from './report.ts';

const say = (line: string) => process.stdout.write(`[chaos] ${line}\n`);

function options() {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      rounds: { type: 'string', default: '5' },
      'first-round': { type: 'string', default: '1' },
      'round-seconds': { type: 'string', default: '25' },
      buyers: { type: 'string', default: '8' },
      'settle-seconds': { type: 'string', default: '120' },
      out: { type: 'string', default: path.join(os.tmpdir(), 'minishop-chaos-report.json') },
    },
  });
  const int = (name: keyof typeof values) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`--${name} must be a whole number, got ${values[name]}`);
    return n;
  };
  return {
    seed: int('seed'),
    rounds: Math.max(1, int('rounds')),
    firstRound: Math.max(1, int('first-round')),
    roundSeconds: Math.max(5, int('round-seconds')),
    buyers: Math.max(1, int('buyers')),
    settleSeconds: Math.max(5, int('settle-seconds')),
    out: path.resolve(String(values.out)),
  };
}

async function start(dataDir: string): Promise<RunningStack> {
  return startStack({
    dataDir,
    ports: 'free',
    quiet: true,
    persistent: false,
    seed: false,
    web: false,
    env: { MINISHOP_ENV: 'test', LOG_LEVEL: 'warn' },
    componentEnv: {
      gateway: { RATE_LIMIT_PER_MINUTE: '0' },
      auth: { LOGIN_MAX_ATTEMPTS_PER_IP: '1000000000', LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '1000000000' },
      // Short leases so that work a killed Orders held is taken over within seconds, not minutes.
      orders: { SAGA_LEASE_MS: '3000', SAGA_RESUME_INTERVAL_MS: '500' },
      'mail-sink': { MAX_MESSAGES: '1000000' },
    },
  });
}

async function main(): Promise<number> {
  const opts = options();
  const began = Date.now();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'minishop-chaos-'));
  say(
    `seed ${opts.seed}, rounds ${opts.firstRound}..${opts.firstRound + opts.rounds - 1}, starting the shop`,
  );
  const stack = await start(dataDir);
  const stopShop = async () => {
    await stack.stop().catch((error: Error) => say(`stopping the shop: ${error.message}`));
    await fs.rm(dataDir, { recursive: true, force: true }).catch(() => {});
  };
  // Ctrl-C or a CI timeout: stop the shop (PostgreSQL and Redis run detached) before leaving.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping the shop`);
      void stopShop().finally(() => process.exit(130));
    });
  }
  const runId = Date.now().toString(36);
  const rounds: RoundReport[] = [];
  try {
    for (let index = opts.firstRound; index < opts.firstRound + opts.rounds; index++) {
      const spec = {
        index,
        seed: roundSeed(opts.seed, index),
        kind: kindOf(index),
        seconds: opts.roundSeconds,
        buyers: opts.buyers,
        settleSeconds: opts.settleSeconds,
      };
      say(`round ${index} (${spec.kind}, round seed ${spec.seed})`);
      const report = await runRound({ stack, runId, say }, spec);
      rounds.push(report);
      const { kills, freezes, crashes } = report.faults;
      say(
        `round ${index}: ${report.shoppers.checkouts} checkouts, ${kills} kills, ${freezes} freezes, ` +
          `${crashes} crashes; audit ${report.audit.ok ? 'clean' : `FAILED (${report.violations.length} violations)`}`,
      );
      for (const v of report.violations)
        say(`  VIOLATION ${v.check} → ${v.owner}: ${v.detail} ${v.examples.slice(0, 3).join('; ')}`);
    }
  } finally {
    await stopShop();
  }
  const summary = summarise(opts.seed, rounds, Math.round((Date.now() - began) / 1000));
  await fs.writeFile(opts.out, `${JSON.stringify({ ...summary, rounds }, null, 2)}\n`);
  process.stdout.write(`\n${renderChaosReport(summary, rounds)}\n`);
  say(`wrote ${opts.out}`);
  return summary.violations === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`[chaos] failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
