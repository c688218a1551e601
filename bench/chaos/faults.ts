// The chaos itself: while buyers shop, processes of the stack are SIGKILLed or SIGSTOPped at
// seeded moments, held down or frozen for a while, and brought back (restarted, or SIGCONTed).
// A process that dies by itself (a crash point) is noticed through the launcher's events and
// restarted without its crash point. Every action is logged with its time for the report.
import { SERVICE_NAMES } from '../../tools/launcher/src/components.ts';
import type { ComponentName, RunningStack } from '../../tools/launcher/src/stack.ts';
import type { Rng } from './rng.ts';

/** Processes a round may break. The mail sink keeps its inbox in memory only: it is the audit's witness. */
export const TARGETS: readonly ComponentName[] = [...SERVICE_NAMES, 'payment-provider'];

/** Crash points a service honours in test stacks (MINISHOP_CRASH_AFTER); orders also reads its older name. */
export const CRASH_POINTS: ReadonlyArray<{ service: ComponentName; point: string }> = [
  { service: 'orders', point: 'reserve' },
  { service: 'orders', point: 'charge' },
  { service: 'orders', point: 'shipment' },
  { service: 'notifications', point: 'smtp-send' },
  { service: 'payments', point: 'provider-answer' },
];

export interface FaultLogEntry {
  at_ms: number;
  action: 'kill' | 'freeze' | 'resume' | 'restart' | 'arm' | 'crash';
  target: ComponentName;
  detail?: string;
}

export interface FaultProfile {
  /** Pause between two faults, in ms. */
  gapMs: [number, number];
  /** How long a killed process stays down, in ms. */
  downMs: [number, number];
  /** How long a frozen process stays frozen, in ms. */
  frozenMs: [number, number];
  killShare: number;
  /** At most this many processes broken at once. */
  concurrent: number;
  /** Crash points to arm during the round (one at a time). */
  crashPoints: ReadonlyArray<{ service: ComponentName; point: string }>;
  /** Targets picked more often (the refund round freezes Orders and Payments for longer than a reservation lives). */
  favourite?: { targets: ComponentName[]; share: number };
}

export class FaultInjector {
  readonly log: FaultLogEntry[] = [];
  readonly kills = new Map<ComponentName, number>();
  readonly freezes = new Map<ComponentName, number>();
  readonly crashes = new Map<ComponentName, number>();
  /** Exits nobody caused: no kill, no armed crash point. Each is a finding. */
  readonly unexplained: string[] = [];
  private readonly busy = new Set<ComponentName>();
  private readonly armed = new Set<ComponentName>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly began = Date.now();
  private readonly unsubscribe: () => void;
  private readonly stack: RunningStack;
  private readonly rng: Rng;
  private readonly say: (line: string) => void;

  constructor(stack: RunningStack, rng: Rng, say: (line: string) => void) {
    this.stack = stack;
    this.rng = rng;
    this.say = say;
    this.unsubscribe = stack.subscribe((event) => {
      if (event.type !== 'exit' || event.expected) return;
      // A crash point fired (or something crashed on its own): count it and bring it back.
      this.crashes.set(event.name, (this.crashes.get(event.name) ?? 0) + 1);
      const how = event.signal ?? `code ${event.code}`;
      if (!this.armed.has(event.name)) this.unexplained.push(`${event.name} exited by itself (${how})`);
      this.note('crash', event.name, this.armed.has(event.name) ? `${how}, at its crash point` : how);
      this.armed.delete(event.name);
      this.track(this.bringBack(event.name, this.rng.int(200, 1500)));
    });
  }

  private note(action: FaultLogEntry['action'], target: ComponentName, detail?: string): void {
    this.log.push({ at_ms: Date.now() - this.began, action, target, ...(detail ? { detail } : {}) });
    this.say(`${action} ${target}${detail ? ` (${detail})` : ''}`);
  }

  private track(task: Promise<void>): void {
    const settled = task.catch((error: Error) => this.say(`fault task failed: ${error.message}`));
    this.tasks.add(settled);
    void settled.finally(() => this.tasks.delete(settled));
  }

  private async bringBack(name: ComponentName, afterMs: number): Promise<void> {
    this.busy.add(name);
    try {
      await sleep(afterMs);
      if (this.stack.isRunning(name)) return;
      this.note('restart', name);
      await this.stack.restart(name);
    } finally {
      this.busy.delete(name);
    }
  }

  private pickTarget(profile: FaultProfile): ComponentName | undefined {
    const free = TARGETS.filter((t) => !this.busy.has(t) && !this.armed.has(t));
    const favourites = profile.favourite?.targets.filter((t) => free.includes(t)) ?? [];
    if (favourites.length > 0 && this.rng.chance(profile.favourite!.share)) return this.rng.pick(favourites);
    return free.length > 0 ? this.rng.pick(free) : undefined;
  }

  private async fault(target: ComponentName, profile: FaultProfile): Promise<void> {
    this.busy.add(target);
    try {
      if (this.rng.chance(profile.killShare)) {
        const down = this.rng.int(...profile.downMs);
        this.kills.set(target, (this.kills.get(target) ?? 0) + 1);
        this.note('kill', target, `down ${down} ms`);
        await this.stack.kill(target);
        await sleep(down);
        this.note('restart', target);
        await this.stack.restart(target);
      } else {
        const frozen = this.rng.int(...profile.frozenMs);
        this.freezes.set(target, (this.freezes.get(target) ?? 0) + 1);
        this.note('freeze', target, `${frozen} ms`);
        this.stack.freeze(target);
        await sleep(frozen);
        this.note('resume', target);
        this.stack.resume(target);
      }
    } finally {
      this.busy.delete(target);
    }
  }

  private async arm(crash: { service: ComponentName; point: string }): Promise<void> {
    this.busy.add(crash.service);
    this.armed.add(crash.service);
    try {
      this.note('arm', crash.service, crash.point);
      const env: Record<string, string> = { MINISHOP_CRASH_AFTER: crash.point };
      if (crash.service === 'orders') env.SAGA_CRASH_AFTER = crash.point;
      await this.stack.restart(crash.service, { env });
    } finally {
      this.busy.delete(crash.service);
    }
  }

  /**
   * Breaks processes until `until` (ms since epoch), then waits for the faults in progress to end.
   * Crash points are armed one at a time, the first at once, the next when the last has fired.
   */
  async run(until: number, profile: FaultProfile): Promise<void> {
    const crashPoints = [...profile.crashPoints];
    const armNext = () => {
      const crash = crashPoints[0];
      if (!crash || this.armed.size > 0 || this.busy.has(crash.service)) return false;
      crashPoints.shift();
      this.track(this.arm(crash));
      return true;
    };
    armNext();
    while (Date.now() < until) {
      await sleep(this.rng.int(...profile.gapMs));
      if (Date.now() >= until) break;
      const broken = TARGETS.filter((t) => this.busy.has(t)).length;
      if (broken >= profile.concurrent || armNext()) continue;
      const target = this.pickTarget(profile);
      if (target) this.track(this.fault(target, profile));
    }
    await this.settle();
  }

  /** Waits for every fault in progress; restarts an armed service without its crash point; resumes and restarts whatever is down. */
  async settle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.all([...this.tasks]);
    for (const name of [...this.armed]) {
      this.armed.delete(name);
      this.note('restart', name, 'disarmed');
      await this.stack.restart(name);
    }
    for (const name of TARGETS) {
      this.stack.resume(name);
      if (!this.stack.isRunning(name)) {
        this.note('restart', name, 'left down');
        await this.stack.restart(name);
      }
    }
    while (this.tasks.size > 0) await Promise.all([...this.tasks]);
  }

  close(): void {
    this.unsubscribe();
  }

  totals() {
    const sum = (m: Map<ComponentName, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const byTarget: Record<string, { kills: number; freezes: number; crashes: number }> = {};
    for (const t of TARGETS) {
      const counts = {
        kills: this.kills.get(t) ?? 0,
        freezes: this.freezes.get(t) ?? 0,
        crashes: this.crashes.get(t) ?? 0,
      };
      if (counts.kills + counts.freezes + counts.crashes > 0) byTarget[t] = counts;
    }
    return {
      kills: sum(this.kills),
      freezes: sum(this.freezes),
      crashes: sum(this.crashes),
      by_target: byTarget,
    };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
