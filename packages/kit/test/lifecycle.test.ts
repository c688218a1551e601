// How a service process stops: on SIGTERM it fails readiness, finishes the requests in flight,
// refuses new ones, and exits 0; a second signal while it drains ends it at once.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '@minishop/devstack/testing';
import { startProcess } from './fixtures/service-process.ts';

const FIXTURE = path.join(import.meta.dirname, 'fixtures/traced-service.ts');

describe('a service process told to stop', () => {
  it('finishes the request in flight, fails readiness meanwhile, and exits 0', async () => {
    const service = await startProcess(FIXTURE, {});
    const management = await eventually(async () => service.management(), 'the management port');
    const slow = fetch(`${service.url}/slow?ms=1500`);
    await eventually(
      async () => service.logs.some((l) => l.msg === 'slow request started'),
      'the slow request',
    );
    service.child.kill('SIGTERM');
    await eventually(async () => (await fetch(`${management}/readyz`)).status === 503, 'readiness to fail');
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ done: true });
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(service.logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['stopping: draining requests', 'stopped']),
    );
  });

  it('exits at once, with 1, on a second signal while it drains', async () => {
    const service = await startProcess(FIXTURE, {});
    void fetch(`${service.url}/slow?ms=60000`).catch(() => {});
    await eventually(
      async () => service.logs.some((l) => l.msg === 'slow request started'),
      'the slow request',
    );
    service.child.kill('SIGTERM');
    await eventually(
      async () => service.logs.some((l) => l.msg === 'stopping: draining requests'),
      'the drain',
    );
    service.child.kill('SIGTERM');
    expect(await service.exited).toEqual({ code: 1, signal: null });
  });
});
