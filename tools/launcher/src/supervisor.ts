// The stack's processes after the stores are up: launches each component with its environment,
// waits until it is ready, and lets a caller stop, crash, freeze, resume and restart any of them.
// Every change of a process's life is announced as an event, so a chaos run or a test can follow
// what happened without polling.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PREBUILT_DIR_ENV, prebuild } from '@minishop/kit/prebuild';
import {
  componentEnv,
  entryPoint,
  managementPortKey,
  type ComponentName,
  type EnvInputs,
} from './components.ts';
import { spawnComponent, type ComponentProcess } from './component-process.ts';
import { waitForHttp, waitForPort, waitForReady } from './readiness.ts';
import { checkIdentity } from './ports.ts';

export const STOP_GRACE_MS = 10_000;

/** What happened to a component's process. `expected` exits are the ones a caller asked for. */
export type StackEvent =
  | { type: 'start'; name: ComponentName; pid: number | undefined; restart: boolean; at: number }
  | { type: 'ready'; name: ComponentName; pid: number | undefined; at: number }
  | { type: 'freeze' | 'resume'; name: ComponentName; pid: number | undefined; at: number }
  | {
      type: 'exit';
      name: ComponentName;
      pid: number | undefined;
      code: number | null;
      signal: NodeJS.Signals | null;
      expected: boolean;
      at: number;
    };

export interface ComponentExit {
  name: ComponentName;
  code: number | null;
  signal: NodeJS.Signals | null;
  recentOutput: string[];
}

export interface SupervisorOptions {
  root: string;
  inputs: EnvInputs;
  /** Environment every process gets after the contract's (the caller's `env`). */
  env?: Record<string, string>;
  /** Per-component environment, applied after `env`. */
  componentEnv?: Partial<Record<ComponentName, Record<string, string>>>;
  timeoutMs: number;
  signal?: AbortSignal;
  quiet?: boolean;
  note: (line: string) => void;
  childPrint?: (name: string, line: string) => void;
  /** Called whenever the set of running pids changes (the run file). */
  onPidsChanged: () => Promise<void>;
}

/** Contract variables that must come from the launcher, never from the launcher's own environment. */
const INHERITED_CONTRACT_VARS = [
  'PORT',
  'MANAGEMENT_PORT',
  'HOST',
  'DATABASE_URL',
  'REDIS_URL',
  'SERVICE_CLIENT_ID',
  'SERVICE_CLIENT_SECRET',
  'SERVICE_CLIENTS',
  'AUTH_URL',
  'CATALOG_URL',
  'CART_URL',
  'ORDERS_URL',
  'PAYMENTS_URL',
  'SHIPPING_URL',
  'NOTIFICATIONS_URL',
  'SMTP_PORT',
  'HTTP_PORT',
];

/**
 * Processes run the JavaScript of their TypeScript sources, stripped once per start into
 * `<root>/.minishop/prebuilt` and served by the kit's loader, so none of them loads Node's
 * TypeScript stripper (docs/local-run.md). A root without the loader runs its sources as they are.
 */
export async function prebuiltRuntime(
  root: string,
): Promise<{ env: Record<string, string>; nodeOption: string }> {
  const loader = path.join(root, 'packages', 'kit', 'loader.mjs');
  if (!existsSync(loader)) return { env: {}, nodeOption: '' };
  const dir = path.join(root, '.minishop', 'prebuilt');
  await prebuild(root, dir);
  return { env: { [PREBUILT_DIR_ENV]: dir }, nodeOption: `--import=${pathToFileURL(loader).href}` };
}

export class Supervisor {
  readonly processes = new Map<ComponentName, ComponentProcess>();
  /** Resolves with the first exit that nobody asked for while the stack runs. */
  readonly exited: Promise<ComponentExit>;
  private resolveExit!: (exit: ComponentExit) => void;
  private readonly listeners = new Set<(event: StackEvent) => void>();
  private readonly extraEnv: Partial<Record<ComponentName, Record<string, string>>> = {};
  /** Components whose current process a caller is ending on purpose. */
  private readonly ending = new Set<ComponentName>();
  private readonly frozen = new Set<ComponentName>();
  private readonly inherited: Record<string, string | undefined>;
  private stopping = false;

  private readonly options: SupervisorOptions;
  private readonly runtime: { env: Record<string, string>; nodeOption: string };

  constructor(options: SupervisorOptions, runtime: { env: Record<string, string>; nodeOption: string }) {
    this.options = options;
    this.runtime = runtime;
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    this.inherited = { ...process.env };
    for (const key of INHERITED_CONTRACT_VARS) delete this.inherited[key];
  }

  /** Subscribes to every start, readiness, freeze, resume and exit; returns the unsubscribe. */
  subscribe(listener: (event: StackEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StackEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not take the stack down.
      }
    }
  }

  pid(name: ComponentName): number | undefined {
    return this.processes.get(name)?.child.pid;
  }

  isRunning(name: ComponentName): boolean {
    const proc = this.processes.get(name);
    return proc !== undefined && !proc.hasExited();
  }

  isFrozen(name: ComponentName): boolean {
    return this.frozen.has(name) && this.isRunning(name);
  }

  launch(name: ComponentName, restart = false): ComponentProcess {
    const { options, runtime } = this;
    const env: Record<string, string | undefined> = {
      ...this.inherited,
      MINISHOP_ENV: process.env.MINISHOP_ENV ?? 'development',
      ...runtime.env,
      ...componentEnv(name, options.inputs),
      ...options.env,
      ...options.componentEnv?.[name],
      ...this.extraEnv[name],
    };
    // Whatever runtime flags a process gets, it also loads the prebuilt sources.
    env.NODE_OPTIONS = [env.NODE_OPTIONS, runtime.nodeOption].filter(Boolean).join(' ');
    const proc = spawnComponent({
      name,
      entry: entryPoint(options.root, name),
      cwd: options.root,
      env,
      print: options.childPrint,
    });
    this.processes.set(name, proc);
    this.frozen.delete(name);
    this.emit({ type: 'start', name, pid: proc.child.pid, restart, at: Date.now() });
    void proc.exited.then(({ code, signal }) => {
      const expected = this.stopping || this.ending.has(name);
      this.emit({ type: 'exit', name, pid: proc.child.pid, code, signal, expected, at: Date.now() });
      if (!expected) this.resolveExit({ name, code, signal, recentOutput: proc.recentOutput() });
    });
    return proc;
  }

  /** Launches a group of components side by side and waits until all of them are ready. */
  async startGroup(names: readonly ComponentName[]): Promise<void> {
    for (const name of names) this.launch(name);
    await this.options.onPidsChanged();
    await Promise.all(names.map((name) => this.ready(name)));
    this.options.signal?.throwIfAborted();
  }

  async ready(name: ComponentName): Promise<void> {
    const { options } = this;
    const proc = this.processes.get(name)!;
    const started = Date.now();
    const { ports } = options.inputs;
    const waitOptions = {
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      check: () => {
        if (proc.hasExited()) throw new Error(`${name} exited while starting${this.lastLines(proc)}`);
      },
    };
    try {
      if (name === 'mail-sink') {
        await waitForPort(ports.mailHttp, '127.0.0.1', waitOptions);
        await waitForPort(ports.mailSmtp, '127.0.0.1', waitOptions);
      } else if (name === 'payment-provider') {
        // Any HTTP answer means it listens; the simulator has no dependencies to check.
        await waitForHttp(`http://127.0.0.1:${ports.paymentProvider}/healthz`, {
          ...waitOptions,
          accept: () => true,
        });
      } else {
        const management = `http://127.0.0.1:${ports[managementPortKey(name)]}`;
        await waitForReady(management, waitOptions);
        await checkIdentity(management, name);
      }
    } catch (error) {
      if (options.signal?.aborted || proc.hasExited()) throw error;
      throw new Error(`${(error as Error).message}${this.lastLines(proc)}`);
    }
    this.emit({ type: 'ready', name, pid: proc.child.pid, at: Date.now() });
    options.note(`${name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  // Printed lines are already on screen; in quiet mode the error has to carry them.
  private lastLines(proc: ComponentProcess): string {
    return this.options.quiet
      ? `. Its last lines:\n${proc.recentOutput().join('\n')}`
      : ` (its output is above, prefixed "${proc.name}")`;
  }

  private known(name: ComponentName): ComponentProcess {
    const proc = this.processes.get(name);
    if (!proc) throw new Error(`${name} is not part of this stack`);
    return proc;
  }

  /**
   * Ends a component's process now, as a crash would (SIGKILL, the default) or with SIGTERM and
   * its drain; it stays down until restart(). Resolves once it has exited.
   */
  async kill(name: ComponentName, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const proc = this.known(name);
    if (proc.hasExited()) return;
    this.ending.add(name);
    try {
      if (signal === 'SIGTERM') {
        this.resume(name);
        await proc.stop(STOP_GRACE_MS);
      } else {
        proc.child.kill('SIGKILL');
        await proc.exited;
      }
    } finally {
      this.ending.delete(name);
      this.frozen.delete(name);
    }
  }

  /** Freezes a component (SIGSTOP): it keeps its sockets but answers nothing until resume(). */
  freeze(name: ComponentName): void {
    const proc = this.known(name);
    if (proc.hasExited() || this.frozen.has(name)) return;
    proc.child.kill('SIGSTOP');
    this.frozen.add(name);
    this.emit({ type: 'freeze', name, pid: proc.child.pid, at: Date.now() });
  }

  resume(name: ComponentName): void {
    const proc = this.known(name);
    if (!this.frozen.delete(name) || proc.hasExited()) return;
    proc.child.kill('SIGCONT');
    this.emit({ type: 'resume', name, pid: proc.child.pid, at: Date.now() });
  }

  /**
   * Starts a component again, optionally with extra environment for this and later starts, and
   * waits until it is ready. A process still running is stopped first (SIGTERM and drain, or
   * SIGKILL with `kill`).
   */
  async restart(
    name: ComponentName,
    options: { env?: Record<string, string>; kill?: boolean } = {},
  ): Promise<void> {
    this.known(name);
    await this.kill(name, options.kill ? 'SIGKILL' : 'SIGTERM');
    this.extraEnv[name] = options.env ?? {};
    this.launch(name, true);
    await this.options.onPidsChanged();
    await this.ready(name);
  }

  /** Stops everything in dependency order: the entry point first, the simulators last. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const name of this.frozen) this.resume(name);
    const stopGroup = (names: readonly ComponentName[]) =>
      Promise.all(names.map((name) => this.processes.get(name)?.stop(STOP_GRACE_MS)));
    await stopGroup(['gateway']);
    await stopGroup(['cart', 'orders', 'payments', 'shipping', 'notifications', 'catalog']);
    await stopGroup(['auth', 'payment-provider', 'mail-sink']);
  }
}
