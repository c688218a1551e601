// Fault injection settings: start from config, adjustable at runtime through the admin API so a
// test can switch a fault on around the requests it cares about.
import { Type, type Static } from '@sinclair/typebox';
import type { Config } from '../config.ts';

const Rate = Type.Number({ minimum: 0, maximum: 1 });
const Millis = Type.Integer({ minimum: 0, maximum: 600_000 });

export const Faults = Type.Object(
  {
    latency_ms: Millis,
    error_rate: Rate,
    drop_after_charge_rate: Rate,
    webhook_duplicate_rate: Rate,
    webhook_delay_ms: Millis,
  },
  { additionalProperties: false },
);
export type Faults = Static<typeof Faults>;

export const FaultsPatch = Type.Partial(Faults, { additionalProperties: false });
export type FaultsPatch = Static<typeof FaultsPatch>;

export function faultsFromConfig(config: Config): Faults {
  return {
    latency_ms: config.PROVIDER_LATENCY_MS,
    error_rate: config.PROVIDER_ERROR_RATE,
    drop_after_charge_rate: config.PROVIDER_DROP_AFTER_CHARGE_RATE,
    webhook_duplicate_rate: config.PROVIDER_WEBHOOK_DUPLICATE_RATE,
    webhook_delay_ms: config.PROVIDER_WEBHOOK_DELAY_MS,
  };
}

export class FaultsState {
  private readonly initial: Faults;
  private current: Faults;
  private readonly random: () => number;

  constructor(initial: Faults, random: () => number = Math.random) {
    this.initial = { ...initial };
    this.current = { ...initial };
    this.random = random;
  }

  get(): Faults {
    return { ...this.current };
  }

  update(patch: FaultsPatch): Faults {
    this.current = { ...this.current, ...patch };
    return this.get();
  }

  reset(): Faults {
    this.current = { ...this.initial };
    return this.get();
  }

  /** True with the probability the named rate sets. */
  strikes(rate: 'error_rate' | 'drop_after_charge_rate' | 'webhook_duplicate_rate'): boolean {
    const value = this.current[rate];
    return value > 0 && this.random() < value;
  }

  async delay(): Promise<void> {
    const ms = this.current.latency_ms;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}
