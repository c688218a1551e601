// Reads memory and CPU use of the processes under test from /proc (Linux), so the report can say
// how much each service used while it was under load and where the CPU time went.
import fs from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of utime/stime in /proc/<pid>/stat (100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

export interface Watched {
  name: string;
  pid: number;
  /** Also count the CPU of the process's children (PostgreSQL's backends). */
  tree?: boolean;
}

/**
 * Resident set size in bytes (VmRSS) and its private anonymous part (RssAnon: heap, stacks; not the
 * shared pages of the node binary), or undefined when the process is gone.
 */
export function rssBytes(pid: number): { rss: number; anon: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    const anon = /^RssAnon:\s+(\d+)\s+kB/m.exec(status);
    return rss ? { rss: Number(rss[1]) * 1024, anon: Number(anon?.[1] ?? 0) * 1024 } : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine has spent busy (all cores; not idle, not waiting for I/O). */
export function machineBusySeconds(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) /
    TICKS_PER_SECOND
  );
}

interface Stat {
  ppid: number;
  /** user + system CPU seconds of the process itself */
  own: number;
  /** user + system CPU seconds of its children that have exited and were waited for */
  children: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; everything after its closing parenthesis is fixed.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const num = (i: number) => Number(fields[i - 3]);
    return {
      ppid: num(4),
      own: (num(14) + num(15)) / TICKS_PER_SECOND,
      children: (num(16) + num(17)) / TICKS_PER_SECOND,
    };
  } catch {
    return undefined;
  }
}

function childPids(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat?.ppid === parent) pids.push(Number(entry));
  }
  return pids;
}

/** CPU seconds used so far by the process (and, for a tree, its live and reaped children). */
export function cpuSeconds(target: Watched): number {
  const stat = readStat(target.pid);
  if (!stat) return 0;
  if (!target.tree) return stat.own;
  let total = stat.own + stat.children;
  for (const child of childPids(target.pid)) {
    const s = readStat(child);
    if (s) total += s.own;
  }
  return total;
}

export interface Usage {
  /** Highest resident set size seen while sampling, in MB. */
  peak_rss_mb: number;
  /** Highest private anonymous memory (RssAnon) seen, in MB. */
  peak_rss_anon_mb: number;
  /** Average resident set size over the samples, in MB. */
  avg_rss_mb: number;
  /** CPU time used between start and stop, as a share of one core (1 = one core busy all along). */
  cpu_cores: number;
}

/**
 * Samples RSS of every watched process every `intervalMs` from start() to stop() and measures the
 * CPU each used in between.
 */
export class UsageSampler {
  private readonly watched: Watched[];
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private cpuAtStart = new Map<string, number>();
  private samples = new Map<string, Array<{ rss: number; anon: number }>>();
  private machineAtStart = 0;

  constructor(watched: Watched[]) {
    this.watched = watched;
  }

  start(intervalMs = 250): void {
    this.startedAt = performance.now();
    this.samples = new Map(this.watched.map((w) => [w.name, []]));
    this.cpuAtStart = new Map(this.watched.map((w) => [w.name, cpuSeconds(w)]));
    this.machineAtStart = machineBusySeconds();
    const sample = () => {
      for (const w of this.watched) {
        if (w.tree) continue; // shared memory makes a process tree's RSS meaningless
        const rss = rssBytes(w.pid);
        if (rss !== undefined) this.samples.get(w.name)!.push(rss);
      }
    };
    sample();
    this.timer = setInterval(sample, intervalMs);
  }

  /**
   * Usage per watched process, plus `machine` (every process on the machine) and `other` (what the
   * machine used beyond the watched processes: anything else running skews the numbers).
   */
  stop(): Record<string, Usage> {
    if (this.timer) clearInterval(this.timer);
    const seconds = (performance.now() - this.startedAt) / 1000;
    const result: Record<string, Usage> = {};
    const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
    let watchedCpu = 0;
    for (const w of this.watched) {
      const samples = this.samples.get(w.name) ?? [];
      const rss = samples.map((s) => s.rss);
      const cpu = (cpuSeconds(w) - (this.cpuAtStart.get(w.name) ?? 0)) / seconds;
      watchedCpu += cpu;
      result[w.name] = {
        peak_rss_mb: rss.length ? mb(Math.max(...rss)) : 0,
        peak_rss_anon_mb: samples.length ? mb(Math.max(...samples.map((s) => s.anon))) : 0,
        avg_rss_mb: rss.length ? mb(rss.reduce((a, b) => a + b, 0) / rss.length) : 0,
        cpu_cores: round(cpu, 2),
      };
    }
    const machineCpu = (machineBusySeconds() - this.machineAtStart) / seconds;
    const none = { peak_rss_mb: 0, peak_rss_anon_mb: 0, avg_rss_mb: 0 };
    result.machine = { ...none, cpu_cores: round(machineCpu, 2) };
    result.other = { ...none, cpu_cores: round(Math.max(0, machineCpu - watchedCpu), 2) };
    return result;
  }
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function machine(): { cpu_model: string; cores: number; total_memory_mb: number; os: string } {
  const cpus = os.cpus();
  return {
    cpu_model: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    total_memory_mb: Math.round(os.totalmem() / 1024 / 1024),
    os: `${os.type()} ${os.release()}`,
  };
}
