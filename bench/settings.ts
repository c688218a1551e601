// The benchmark's settings: phase lengths (overridable through the environment), the checkout
// scenario's shape, and the thresholds a run is judged by.
import { SERVICE_NAMES } from '../tools/launcher/src/components.ts';

export const BENCH_DIR = import.meta.dirname;
export const seconds = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
export const MAX_S = seconds('BENCH_MAX_SECONDS', 10);
export const RATE_S = seconds('BENCH_RATE_SECONDS', 10);
export const WARMUP_S = seconds('BENCH_WARMUP_SECONDS', 2);
export const CHECKOUT_USERS = 32;
export const CONTENDERS = 6;
export const CONTENDED_STOCK = 5;
export const CHECKOUT_STOCK = 1_000_000;
export const PASSWORD = 'bench-password-1';
/** Node services held to the memory floor; the simulators are reported too. */
export const SERVICES: readonly string[] = ['gateway', ...SERVICE_NAMES.filter((name) => name !== 'gateway')];
export const RSS_FLOOR_MB = 120;
/** CPU used by unrelated processes during a phase above which its numbers are suspect. */
export const NOISE_CORES = 0.25;

export const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);
