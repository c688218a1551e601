// Real linters over the charts as each environment renders them: kube-score over both charts
// (critical findings and warnings alike fail), and promtool over the alerts (syntax and lint,
// plus the alert unit tests in ./prometheus, which feed series to the rules and say which alerts
// must fire). A finding the chart disagrees with is silenced only on its object, through a
// `kube-score/ignore` annotation that must come with the reason next to it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { stringify } from 'yaml';
import type { KubeObject } from './kube-schemas.ts';
import {
  CHART,
  DATABASES_CHART,
  ENVIRONMENTS,
  findTool,
  parseObjects,
  renderChart,
  type Environment,
  type Tool,
  usable,
} from './manifests.ts';

/** The annotation that says why a kube-score check does not apply to an object. */
export const IGNORE_REASON = 'minishop.example.com/kube-score-ignore-reason';
const ALERT_TESTS = path.join(import.meta.dirname, 'prometheus');

const tools = new Map<Tool, string | null>();
const work = mkdtempSync(path.join(os.tmpdir(), 'minishop-lint-'));
const renderedFiles = new Map<Environment, string>();
const renderedObjects = new Map<Environment, KubeObject[]>();

beforeAll(async () => {
  for (const tool of ['helm', 'kube-score', 'promtool'] as const) tools.set(tool, await findTool(tool));
  const helm = tools.get('helm');
  if (!helm) return;
  for (const env of ENVIRONMENTS) {
    const text = [CHART, DATABASES_CHART].map((chart) => renderChart(helm, chart, env)).join('\n---\n');
    const file = path.join(work, `${env}.yaml`);
    writeFileSync(file, text);
    renderedFiles.set(env, file);
    renderedObjects.set(env, parseObjects(text));
  }
}, 30 * 60_000);

function need(ctx: TestContext, ...wanted: Tool[]): string[] {
  return wanted.map((t) => usable(ctx, t, tools.get(t)));
}

/** Runs a linter; its output whatever the exit code, and whether it passed. */
function run(binary: string, args: string[]): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync(binary, args, { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** The alert rules of a rendering as a Prometheus rule file (the PrometheusRule's spec). */
function ruleFile(env: Environment): string | null {
  const rule = renderedObjects.get(env)!.find((o) => o.kind === 'PrometheusRule');
  if (!rule) return null;
  const dir = mkdtempSync(path.join(work, `rules-${env}-`));
  writeFileSync(path.join(dir, 'minishop-alerts.yaml'), stringify(rule.spec));
  return dir;
}

describe.each(ENVIRONMENTS)('the %s rendering', (env) => {
  it('has no kube-score finding, critical or warning', (ctx) => {
    const [, kubeScore] = need(ctx, 'helm', 'kube-score');
    const { ok, output } = run(kubeScore!, [
      'score',
      '--output-format',
      'ci',
      '--exit-one-on-warning',
      '--enable-optional-test',
      'container-seccomp-profile',
      renderedFiles.get(env)!,
    ]);
    const findings = output.split('\n').filter((l) => /^\[(CRITICAL|WARNING)\]/.test(l));
    expect(findings).toEqual([]);
    expect(ok, output).toBe(true);
  });

  it('gives a reason for every kube-score check it switches off', (ctx) => {
    need(ctx, 'helm');
    const unexplained = renderedObjects
      .get(env)!
      .filter((o) => o.metadata.annotations?.['kube-score/ignore'])
      .filter((o) => !(o.metadata.annotations?.[IGNORE_REASON] ?? '').trim())
      .map((o) => `${o.kind}/${o.metadata.name}`);
    expect(unexplained).toEqual([]);
  });

  it('has alerts that promtool checks and lints clean, and whose unit tests pass', (ctx) => {
    const [, promtool] = need(ctx, 'helm', 'promtool');
    const dir = ruleFile(env);
    if (!dir) return expect(env).toBe('default');
    const rules = path.join(dir, 'minishop-alerts.yaml');
    const check = run(promtool!, ['check', 'rules', '--lint=all', '--lint-fatal', rules]);
    expect(check.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(check.ok, check.output).toBe(true);
    const tests = readdirSync(ALERT_TESTS).filter((f) => f.endsWith('.yaml'));
    expect(tests.length).toBeGreaterThan(0);
    for (const test of tests) copyFileSync(path.join(ALERT_TESTS, test), path.join(dir, test));
    const unit = run(promtool!, ['test', 'rules', ...tests.map((t) => path.join(dir, t))]);
    expect(unit.ok, unit.output).toBe(true);
  });
});
