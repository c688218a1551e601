// The image definition, read as Docker would read it: its stages, base images, user, command
// and install step; and the source stage's script run against this repository to show that it
// picks the right files for a service.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { prebuiltName } from '@minishop/kit/prebuild';
import { MALLOC_ENV } from '../../tools/launcher/src/components.ts';
import { CHART, ROOT, parseObjects, renderedFixture } from './manifests.ts';
import type { Workload } from './policy.ts';
import { loadServiceConfig } from './service-config.ts';

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions of a Dockerfile: comments dropped, continued lines joined. */
function parseDockerfile(text: string): { globalArgs: Map<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && current === '')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(`${current}${line}`.trim());
    current = '';
  }
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical.filter(Boolean)) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [from = '', as, name] = args.split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0 && upper === 'ARG') {
      const [key = '', value = ''] = args.split('=');
      globalArgs.set(key, value);
    } else {
      stages.at(-1)?.instructions.push({ keyword: upper, args });
    }
  }
  return { globalArgs, stages };
}

const dockerfile = readFileSync(path.join(ROOT, 'deploy/Dockerfile'), 'utf8');
const { globalArgs, stages } = parseDockerfile(dockerfile);
const runtime = stages.at(-1)!;
const stage = (name: string) => stages.find((s) => s.name === name);
const resolve = (image: string) =>
  image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => globalArgs.get(a ?? b) ?? '');
const all = (s: Stage, keyword: string) => s.instructions.filter((i) => i.keyword === keyword);

describe('deploy/Dockerfile', () => {
  it('builds in separate stages for sources, dependencies and the runtime', () => {
    expect(stages.map((s) => s.name)).toEqual(['source', 'deps', 'web', 'runtime']);
    const copies = all(runtime, 'COPY').map((c) => c.args);
    expect(copies.every((c) => c.startsWith('--from='))).toBe(true);
  });

  it('starts every stage from the official Node 24 slim image at the version the scripts use', () => {
    const nodeVersion = (
      JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        devDependencies: Record<string, string>;
      }
    ).devDependencies.node;
    for (const s of stages) {
      const image = resolve(s.from);
      expect(image).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim$/);
      expect(image).toBe(`node:${nodeVersion}-${image.split('-')[1]}-slim`);
    }
  });

  it('installs the production dependencies of one workspace from the lockfile', () => {
    const runs = all(stage('deps')!, 'RUN').map((r) => r.args);
    const install = runs.find((r) => r.includes('npm ci'));
    expect(install).toMatch(/--omit=dev/);
    expect(install).toMatch(/--workspace/);
    expect(install).toMatch(/--include-workspace-root=false/);
    expect(install).toMatch(/--ignore-scripts/);
    expect(dockerfile).not.toMatch(/npm install|yarn add|curl |wget |\bADD\b/);
  });

  it('runs as an unprivileged numeric user with node as PID 1 in exec form', () => {
    const users = all(runtime, 'USER').map((u) => u.args);
    expect(users).toHaveLength(1);
    const [user = '', group] = users[0]!.split(':');
    // Above 10000, so that it belongs to no user of the node, and the one the chart runs pods as.
    expect(Number(user)).toBeGreaterThan(10000);
    expect(Number(group ?? user)).toBeGreaterThan(10000);
    const pods = parseObjects(readFileSync(renderedFixture(CHART, 'default'), 'utf8')).filter(
      (o) => o.kind === 'Deployment' || o.kind === 'Job',
    ) as Workload[];
    expect(pods.length).toBeGreaterThan(0);
    for (const pod of pods) {
      expect(pod.spec.template.spec.securityContext).toMatchObject({
        runAsUser: Number(user),
        runAsGroup: Number(group ?? user),
      });
    }
    // Nothing after USER may switch back or write to the image.
    const afterUser = runtime.instructions.slice(
      runtime.instructions.findIndex((i) => i.keyword === 'USER') + 1,
    );
    expect(afterUser.map((i) => i.keyword)).toEqual(['CMD']);
    const cmd = JSON.parse(all(runtime, 'CMD')[0]!.args) as string[];
    expect(cmd[0]).toBe('node');
    expect(all(runtime, 'ENTRYPOINT')).toHaveLength(0);
    expect(
      all(runtime, 'ENV')
        .map((e) => e.args)
        .join(' '),
    ).toMatch(/NODE_ENV=production/);
  });

  it('gives containers the malloc settings the launcher gives local processes', () => {
    const env = all(runtime, 'ENV')
      .map((e) => e.args)
      .join(' ');
    for (const [name, value] of Object.entries(MALLOC_ENV)) expect(env).toContain(`${name}=${value}`);
  });

  it('runs every node command with the loader of the prebuilt sources the source stage wrote', () => {
    const env = all(runtime, 'ENV')
      .map((e) => e.args)
      .join(' ');
    expect(env).toContain('NODE_OPTIONS=--import=/app/packages/kit/loader.mjs');
    expect(env).toContain('MINISHOP_PREBUILT_DIR=/app/.prebuilt');
    expect(all(stage('source')!, 'RUN')[0]!.args).toContain('/out/.prebuilt');
  });

  it('builds the web app for the gateway with the workspace build and points WEB_ROOT at its output', async () => {
    const build = all(stage('web')!, 'RUN')
      .map((r) => r.args)
      .join(' ');
    expect(build).toMatch(/if \[ "\$\{SERVICE\}" = gateway \]/);
    expect(build).toContain('npm run build -w web');
    expect(build).toContain('cp -R web/dist /webout/web/dist');
    const env = all(runtime, 'ENV')
      .map((e) => e.args)
      .join(' ');
    expect(env).toContain('WEB_ROOT=/app/web/dist');
    expect(all(runtime, 'COPY').map((c) => c.args)).toContain('--from=web /webout/ ./');
    // The gateway reads WEB_ROOT, as an absolute path of a dist directory.
    expect((await loadServiceConfig('gateway')).vars.has('WEB_ROOT')).toBe(true);
    const scripts = (
      JSON.parse(readFileSync(path.join(ROOT, 'web/package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts.build).toBeDefined();
    // Whatever the build config imports from outside web/ must be in the stage too.
    const config = readFileSync(path.join(ROOT, 'web/vite.config.ts'), 'utf8');
    const outside = [...config.matchAll(/from '\.\.\/([^']+)'/g)].map((m) => m[1]!);
    const copied = all(stage('web')!, 'COPY').map((c) => c.args.split(/\s+/)[0]);
    for (const file of outside) expect(copied, file).toContain(file);
  });

  it('keeps dependencies, local data and history out of the build context', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'web/dist', '.minishop', '.git']));
  });

  it('assembles the chosen service, the shared packages and every workspace manifest', () => {
    const script = all(stage('source')!, 'RUN')[0]!.args;
    const work = mkdtempSync(path.join(os.tmpdir(), 'minishop-image-'));
    // The stage's absolute paths, moved under a scratch directory.
    const local = script.replaceAll('/manifests', `${work}/manifests`).replaceAll('/out', `${work}/out`);
    onTestFinished(() => rmSync(work, { recursive: true, force: true }));
    for (const service of ['orders', 'payment-provider']) {
      execFileSync('sh', ['-c', `rm -rf ${work}/manifests ${work}/out && ${local}`], {
        cwd: ROOT,
        env: { ...process.env, SERVICE: service },
      });
      const dir = existsSync(path.join(ROOT, 'services', service))
        ? `services/${service}`
        : `tools/${service}`;
      expect(readlinkSync(path.join(work, 'out/service'))).toBe(dir);
      expect(existsSync(path.join(work, 'out', dir, 'src/main.ts'))).toBe(true);
      expect(readdirSync(path.join(work, 'out/services'))).toEqual(
        dir.startsWith('services') ? [service] : [],
      );
      expect(existsSync(path.join(work, 'out/packages/kit/package.json'))).toBe(true);
      // The stripped JavaScript of what the image runs, where the loader looks for it.
      for (const file of [`${dir}/src/main.ts`, 'packages/kit/src/http.ts']) {
        const source = readFileSync(path.join(ROOT, file), 'utf8');
        const js = readFileSync(path.join(work, 'out/.prebuilt', prebuiltName(file, source)), 'utf8');
        expect(js.split('\n')).toHaveLength(source.split('\n').length);
      }
      expect(readFileSync(path.join(work, 'manifests/.workspace'), 'utf8').trim()).toBe(dir);
      expect(existsSync(path.join(work, 'manifests/web/package.json'))).toBe(
        existsSync(path.join(ROOT, 'web/package.json')),
      );
      for (const group of ['packages', 'services', 'tools']) {
        expect(readdirSync(path.join(work, 'manifests', group)).sort()).toEqual(
          readdirSync(path.join(ROOT, group))
            .filter((d) => existsSync(path.join(ROOT, group, d, 'package.json')))
            .sort(),
        );
      }
    }
    expect(() =>
      execFileSync('sh', ['-c', local], {
        cwd: ROOT,
        env: { ...process.env, SERVICE: 'nope' },
        stdio: 'pipe',
      }),
    ).toThrow(/no workspace/);
  });
});
