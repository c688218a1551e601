// Reading manifests for the deployment checks: multi-document YAML into plain objects, the
// pinned check tools (built by deploy/scripts/ensure-tool.sh) and rendering the charts with Helm.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { TestContext } from 'vitest';
import type { KubeObject } from './kube-schemas.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHART = path.join(ROOT, 'deploy/helm/minishop');
export const DATABASES_CHART = path.join(ROOT, 'deploy/helm/minishop-databases');
export const ENVIRONMENTS = ['default', 'staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
/** Namespace the charts are rendered into, as Argo CD deploys them. */
export const NAMESPACE = 'minishop';

export function valuesFile(chart: string, env: Environment): string | undefined {
  return env === 'default' ? undefined : path.join(chart, `values-${env}.yaml`);
}

export function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text, { merge: true })
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('\n'));
      return doc.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null && typeof o === 'object');
}

export function readYaml<T = unknown>(file: string): T {
  const [doc, ...rest] = parseAllDocuments(readFileSync(file, 'utf8'), { merge: true });
  if (!doc || rest.length > 0) throw new Error(`${file}: expected one YAML document`);
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('\n')}`);
  return doc.toJS() as T;
}

export type Tool = 'helm' | 'kube-score' | 'promtool';

/**
 * Path of a pinned check tool, built on first use by deploy/scripts/ensure-tool.sh; null (with
 * the reason printed) when it cannot be had. Tests then go through `usable`.
 */
export async function findTool(tool: Tool): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)(
      'bash',
      [path.join(ROOT, 'deploy/scripts/ensure-tool.sh'), tool],
      { timeout: 20 * 60_000 },
    );
    const binary = stdout.trim().split('\n').at(-1) ?? '';
    if (!existsSync(binary)) throw new Error(`ensure-tool.sh printed no binary for ${tool}`);
    return binary;
  } catch (err) {
    console.warn(`${tool} is not available: ${(err as Error).message}`);
    return null;
  }
}

/**
 * The tool a test needs. Missing outside CI, the test is skipped so that the other checks still
 * run on a machine without Go; in CI (CI set) the test fails: a linter that could not run must
 * never pass for one that found nothing.
 */
export function usable(ctx: TestContext, tool: Tool, binary: string | null | undefined): string {
  if (binary) return binary;
  if (process.env.CI) throw new Error(`${tool} is not available, and CI runs every deployment check`);
  ctx.skip(`${tool} is not available`);
  return '';
}

export function helm(binary: string, args: string[]): string {
  return execFileSync(binary, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `helm template` of a chart with an environment's values (plus extra value files). */
export function renderChart(
  binary: string,
  chart: string,
  env: Environment,
  extraValues: string[] = [],
): string {
  const release = chart === CHART ? 'minishop' : 'minishop-databases';
  const files = [valuesFile(chart, env), ...extraValues].filter((f): f is string => f !== undefined);
  return helm(binary, [
    'template',
    release,
    chart,
    '--namespace',
    NAMESPACE,
    ...files.flatMap((f) => ['-f', f]),
  ]);
}

/** Committed output of `helm template` per chart and environment (kept current by a test). */
export function renderedFixture(chart: string, env: Environment): string {
  return path.join(ROOT, 'deploy/test/rendered', `${path.basename(chart)}-${env}.yaml.snap`);
}
