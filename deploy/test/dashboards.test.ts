// The Grafana dashboards in deploy/grafana and the alerts of the chart: each dashboard parses, every
// metric a dashboard or an alert reads is one the code exports, and the chart ships them (ConfigMaps for
// Grafana's sidecar, a PrometheusRule) when enabled. Also the chart's tracing switch.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { createService } from '../../packages/kit/src/http.ts';
import type { KubeObject } from './kube-schemas.ts';
import {
  CHART,
  ENVIRONMENTS,
  NAMESPACE,
  ROOT,
  findTool,
  usable,
  parseObjects,
  renderChart,
  renderedFixture,
} from './manifests.ts';
import {
  containerEnv,
  egressRulesFor,
  ofKind,
  podLabels,
  type NetworkPolicy,
  type Workload,
} from './policy.ts';

const DASHBOARDS = path.join(ROOT, 'deploy/grafana');

interface Panel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
  gridPos: { x: number; y: number; w: number; h: number };
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; query?: string | { query: string } }> };
}

const files = readdirSync(DASHBOARDS)
  .filter((f) => f.endsWith('.json'))
  .sort();
const dashboards = files.map((file) => ({
  file,
  text: readFileSync(path.join(DASHBOARDS, file), 'utf8'),
}));
const parse = (text: string) => JSON.parse(text) as Dashboard;
const panelsOf = (d: Dashboard) => d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const queriesOf = (d: Dashboard) => [
  ...panelsOf(d).flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
  ...d.templating.list.map((v) => (typeof v.query === 'object' ? v.query.query : (v.query ?? ''))),
];

/** Every series name a scrape of the services can contain, read from the code. */
async function exportedSeries(): Promise<Set<string>> {
  const app = await createService({ name: 'dashboards-check', logLevel: 'silent' });
  const metrics = await app.metricsRegistry.getMetricsAsJSON();
  await app.close();
  const found = metrics.map((m) => ({ name: m.name, type: String(m.type) }));
  // Metrics that services and the kit register themselves: `name: 'minishop_…'` next to a
  // prom-client constructor or the kit's counterFromZero.
  const sources = ['services', 'packages/kit'].flatMap((dir) =>
    readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && f.includes(`src${path.sep}`) && !f.includes('node_modules'))
      .map((f) => readFileSync(path.join(ROOT, dir, f), 'utf8')),
  );
  for (const source of sources) {
    for (const m of source.matchAll(/new (Counter|Gauge|Histogram|Summary)\(\{\s*name: '(minishop_\w+)'/g)) {
      found.push({ name: m[2]!, type: m[1]!.toLowerCase() });
    }
    for (const m of source.matchAll(/counterFromZero\([^,]+,\s*\{\s*name: '(minishop_\w+)'/g)) {
      found.push({ name: m[1]!, type: 'counter' });
    }
  }
  const series = new Set<string>();
  for (const { name, type } of found) {
    series.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) series.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) series.add(name + suffix);
  }
  return series;
}

let series: Set<string>;
beforeAll(async () => {
  series = await exportedSeries();
});

/** Metric names a PromQL query reads that no service exports. */
const unknownMetrics = (query: string) =>
  [...query.matchAll(/\bminishop_\w+/g)].map(([name]) => name).filter((name) => !series.has(name));

describe('Grafana dashboards', () => {
  it('has an overview and a checkout dashboard, each valid JSON with its own uid', () => {
    expect(files).toEqual(['minishop-checkout.json', 'minishop-overview.json']);
    const uids = dashboards.map((d) => parse(d.text).uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const { file, text } of dashboards) {
      const d = parse(text);
      expect(d.title, file).toMatch(/^Minishop \/ /);
      expect(panelsOf(d).filter((p) => p.type !== 'row').length, file).toBeGreaterThan(5);
    }
  });

  it('reads only metrics that the services export', () => {
    expect(series.has('minishop_http_request_duration_seconds_bucket')).toBe(true);
    expect(series.has('minishop_checkouts_total')).toBe(true);
    const unknown = dashboards.flatMap(({ file, text }) =>
      queriesOf(parse(text)).flatMap((q) => unknownMetrics(q).map((name) => `${file}: ${name}`)),
    );
    expect(unknown).toEqual([]);
  });

  it('queries through the chosen data source and lays panels out on the 24-column grid', () => {
    for (const { file, text } of dashboards) {
      const d = parse(text);
      expect(
        d.templating.list.map((v) => v.name),
        file,
      ).toContain('datasource');
      for (const p of panelsOf(d)) {
        expect(p.gridPos.x + p.gridPos.w, `${file}: ${p.title}`).toBeLessThanOrEqual(24);
        if (p.type !== 'row') expect(p.datasource?.uid, `${file}: ${p.title}`).toBe('${datasource}');
      }
    }
  });
});

describe('the chart', () => {
  let helmBinary: string | null = null;
  const rendered = new Map<string, KubeObject[]>();
  beforeAll(async () => {
    helmBinary = await findTool('helm');
    for (const env of ENVIRONMENTS) {
      const text = helmBinary
        ? renderChart(helmBinary, CHART, env)
        : readFileSync(renderedFixture(CHART, env), 'utf8');
      rendered.set(env, parseObjects(text));
    }
  }, 20 * 60_000);

  function withValues(ctx: TestContext, values: string): KubeObject[] {
    const helm = usable(ctx, 'helm', helmBinary);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'minishop-values-')), 'values.yaml');
    writeFileSync(file, values);
    return parseObjects(renderChart(helm, CHART, 'default', [file]));
  }

  it.for(ENVIRONMENTS)(
    'ships every dashboard to Grafana as a labelled ConfigMap with the %s values',
    (env) => {
      const maps = ofKind<KubeObject & { data: Record<string, string> }>(
        rendered.get(env)!,
        'ConfigMap',
      ).filter((m) => m.metadata.labels?.grafana_dashboard === '1');
      if (env === 'default') return expect(maps).toEqual([]);
      const shipped = Object.fromEntries(maps.flatMap((m) => Object.entries(m.data)));
      expect(Object.keys(shipped).sort()).toEqual(files);
      for (const { file, text } of dashboards) expect(JSON.parse(shipped[file]!)).toEqual(JSON.parse(text));
    },
  );

  it.for(ENVIRONMENTS)(
    'alerts on metrics the services export, scoped to the release, with the %s values',
    (env) => {
      const rules = ofKind<
        KubeObject & { spec: { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> } }
      >(rendered.get(env)!, 'PrometheusRule');
      if (env === 'default') return expect(rules).toEqual([]);
      expect(rules).toHaveLength(1);
      const alerts = rules[0]!.spec.groups.flatMap((g) => g.rules);
      expect(alerts.map((a) => a.alert)).toEqual(
        expect.arrayContaining([
          'MinishopServiceDown',
          'MinishopHighErrorRate',
          'MinishopPaymentFailuresHigh',
        ]),
      );
      for (const { alert, expr } of alerts) {
        expect(unknownMetrics(expr), alert).toEqual([]);
        // Staging and production share one Prometheus: each release alerts on its own namespace.
        for (const selector of expr.match(/\b(minishop_\w+|up)\{[^}]*\}/g) ?? []) {
          expect(selector, alert).toContain(`namespace="${NAMESPACE}"`);
        }
      }
    },
  );

  it('points every service at the trace collector and lets it through, only when tracing is set', (ctx) => {
    const objects = withValues(
      ctx,
      'tracing:\n  otlpEndpoint: http://otel-collector.monitoring:4318\n  sampleRatio: 0.25\n',
    );
    const deployments = ofKind<Workload>(objects, 'Deployment');
    const policies = ofKind<NetworkPolicy>(objects, 'NetworkPolicy');
    expect(deployments.length).toBeGreaterThan(0);
    for (const d of deployments) {
      const env = containerEnv(d.spec.template.spec.containers[0]!, objects);
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT, d.metadata.name).toBe('http://otel-collector.monitoring:4318');
      expect(env.OTEL_TRACES_SAMPLER_ARG, d.metadata.name).toBe('0.25');
      const toCollector = egressRulesFor(policies, podLabels(d)).filter((r) =>
        (r.to ?? []).some(
          (peer) => peer.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'opentelemetry-collector',
        ),
      );
      expect(
        toCollector.flatMap((r) => r.ports ?? []).map((p) => p.port),
        d.metadata.name,
      ).toEqual([4318]);
    }
    // Off by default; staging and production send to the collector Argo CD installs.
    for (const env of ENVIRONMENTS) {
      for (const d of ofKind<Workload>(rendered.get(env)!, 'Deployment')) {
        const plain = containerEnv(d.spec.template.spec.containers[0]!, rendered.get(env)!);
        expect(plain.OTEL_EXPORTER_OTLP_ENDPOINT, `${env} ${d.metadata.name}`).toBe(
          env === 'default' ? undefined : 'http://otel-collector.monitoring:4318',
        );
      }
    }
  });
});
