// The stack's ports: choosing them (the contract's, explicit ones or a free block), making sure
// they are free before anything starts, and that the process answering on one is the right one.
import { assertPortFree, isPortFree } from '@minishop/devstack/free-port';
import { COMPONENT_PORTS, DEFAULT_PORTS, type ComponentName, type StackPorts } from './components.ts';

/**
 * Ports of a stack started with ports: 'free': a block of consecutive free ports at a random
 * place between 20000 and 32000. That range lies below the kernel's ephemeral ports (where
 * outgoing connections and port-0 listeners land), and a random block keeps stacks started at
 * the same moment (parallel test files) from picking the same port before either binds it.
 */
export async function resolvePorts(choice: 'default' | 'free' | Partial<StackPorts>): Promise<StackPorts> {
  if (choice === 'default') return { ...DEFAULT_PORTS };
  if (choice !== 'free') return { ...DEFAULT_PORTS, ...choice };
  const keys = Object.keys(DEFAULT_PORTS) as Array<keyof StackPorts>;
  for (let tries = 0; tries < 50; tries++) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - keys.length));
    const candidates = keys.map((_, i) => base + i);
    if ((await Promise.all(candidates.map((port) => isPortFree(port)))).every(Boolean)) {
      return Object.fromEntries(keys.map((key, i) => [key, candidates[i]!])) as unknown as StackPorts;
    }
  }
  throw new Error('found no block of free ports between 20000 and 32000');
}

/** Makes sure the process answering on a service's management port is that service, not another one. */
export async function checkIdentity(base: string, name: ComponentName): Promise<void> {
  const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(3_000) });
  const body = (await res.json().catch(() => ({}))) as { service?: string };
  if (body.service !== name) {
    throw new Error(
      `${base} answers as ${body.service ?? 'something else'}, not ${name}: another process holds the port`,
    );
  }
}

/** Fails before anything starts when a port the stack needs is taken, naming every such port. */
export async function checkPorts(present: ComponentName[], ports: StackPorts): Promise<void> {
  const needed = present.flatMap((name) => COMPONENT_PORTS[name].map((key) => ({ name, port: ports[key] })));
  const results = await Promise.all(needed.map(async (n) => ({ ...n, free: await isPortFree(n.port) })));
  const taken = results.filter((r) => !r.free);
  if (taken.length === 1) await assertPortFree(taken[0]!.port, taken[0]!.name);
  if (taken.length > 1) {
    throw new Error(
      `Ports already in use: ${taken.map((t) => `${t.port} (${t.name})`).join(', ')}. ` +
        'Is Minishop already running? Stop whatever listens there and try again.',
    );
  }
}
