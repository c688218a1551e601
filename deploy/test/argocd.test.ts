// The Argo CD manifests: valid against Argo CD's schemas, pointing at charts and value files
// that exist, staging automated and production pinned and manual, synced in an order Argo CD
// can wait on, and never able to prune or delete an operator or a database.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaProblems, type KubeObject } from './kube-schemas.ts';
import { ROOT, parseObjects, readYaml } from './manifests.ts';

const ARGOCD = path.join(ROOT, 'deploy/argocd');
const files = [
  ...readdirSync(ARGOCD).filter((f) => f.endsWith('.yaml')),
  ...readdirSync(path.join(ARGOCD, 'apps')).map((f) => `apps/${f}`),
];
const objects = files.flatMap((f) => parseObjects(readFileSync(path.join(ARGOCD, f), 'utf8')));
const byKind = <T extends KubeObject>(kind: string) => objects.filter((o) => o.kind === kind) as T[];
const wave = (o: KubeObject) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
const syncOptions = (o: KubeObject) =>
  (o.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? '').split(',').filter(Boolean);
const REPO = 'https://github.com/minishop/minishop.git';

interface SyncPolicy {
  automated?: { prune?: boolean; selfHeal?: boolean };
  syncOptions?: string[];
  retry?: { limit: number };
}
interface Source {
  repoURL: string;
  path?: string;
  chart?: string;
  targetRevision: string;
  helm?: { valueFiles?: string[]; releaseName?: string; valuesObject?: Record<string, unknown> };
}
type App = KubeObject & {
  metadata: KubeObject['metadata'] & { finalizers?: string[] };
  spec: {
    project: string;
    source?: Source;
    sources?: Source[];
    destination: { namespace: string };
    syncPolicy?: SyncPolicy;
  };
};
type Project = KubeObject & {
  spec: {
    sourceRepos: string[];
    destinations: Array<{ namespace: string }>;
    namespaceResourceBlacklist?: Array<{ group: string; kind: string }>;
    clusterResourceWhitelist?: Array<{ group: string; kind: string }>;
  };
};

const applications = byKind<App>('Application');
const sourcesOf = (app: App): Source[] => app.spec.sources ?? (app.spec.source ? [app.spec.source] : []);
const named = (name: string) => applications.find((a) => a.metadata.name === name)!;
const root = applications.find((a) => a.spec.source?.path === 'deploy/argocd/apps')!;
const children = applications.filter((a) => a !== root);
const shop = applications.filter((a) => sourcesOf(a).some((s) => s.path === 'deploy/helm/minishop'));
const data = applications.filter((a) =>
  sourcesOf(a).some((s) => s.path === 'deploy/helm/minishop-databases'),
);
const platform = children.filter((a) => a.spec.project === 'platform');

describe('Argo CD manifests', () => {
  it('are valid against the Argo CD schemas', () => {
    expect(objects.length).toBeGreaterThan(0);
    expect(objects.flatMap(schemaProblems)).toEqual([]);
  });

  it('have a root Application that creates everything under deploy/argocd/apps, and only Applications', () => {
    expect(root).toBeDefined();
    const fromRoot = readdirSync(path.join(ARGOCD, 'apps')).flatMap((f) =>
      parseObjects(readFileSync(path.join(ARGOCD, 'apps', f), 'utf8')),
    );
    // Sync waves wait for the health of the previous wave: Argo CD assesses an Application's
    // health (with the check docs/deploy.md adds) but never an ApplicationSet's.
    expect(fromRoot.map((c) => c.kind)).toEqual(fromRoot.map(() => 'Application'));
    expect(fromRoot.some((c) => c.metadata.name === root.metadata.name)).toBe(false);
  });

  it('order the sync: platform services, then each environment data layer, then the shop', () => {
    for (const p of platform) for (const d of data) expect(wave(p)).toBeLessThan(wave(d));
    for (const d of data) for (const s of shop) expect(wave(d)).toBeLessThan(wave(s));
    expect(platform.map((p) => p.metadata.name).sort()).toEqual([
      'cloudnative-pg',
      'kube-prometheus-stack',
      'opentelemetry-collector',
    ]);
  });

  it('deploy the chart per environment: staging follows main automatically, production a promoted revision by hand', () => {
    expect(shop.map((a) => a.metadata.name).sort()).toEqual(['minishop-production', 'minishop-staging']);
    const staging = named('minishop-staging');
    const production = named('minishop-production');
    expect(staging.spec.syncPolicy?.automated).toEqual({ prune: true, selfHeal: true });
    expect(production.spec.syncPolicy?.automated).toBeUndefined();
    expect(staging.spec.destination.namespace).not.toBe(production.spec.destination.namespace);
    for (const app of [...shop, ...data]) {
      const own = sourcesOf(app).filter((s) => s.repoURL === REPO);
      expect(own).toHaveLength(1);
      const revision = own[0]!.targetRevision;
      if (app.metadata.labels?.['minishop.example.com/environment'] === 'production') {
        // A release tag or a commit: changing it is the reviewed act that promotes a release.
        expect(revision, app.metadata.name).toMatch(/^v\d+\.\d+\.\d+$|^[0-9a-f]{40}$/);
        expect(revision).toBe(sourcesOf(production)[0]!.targetRevision);
      } else {
        expect(revision, app.metadata.name).toBe('main');
      }
    }
  });

  it('give each data layer retries and let it sync before the operators serve their CRDs', () => {
    expect(data.map((a) => a.metadata.name).sort()).toEqual([
      'minishop-production-data',
      'minishop-staging-data',
    ]);
    for (const app of data) {
      expect(app.spec.syncPolicy?.retry?.limit, app.metadata.name).toBeGreaterThanOrEqual(5);
      expect(app.spec.syncPolicy?.syncOptions, app.metadata.name).toContain(
        'SkipDryRunOnMissingResource=true',
      );
      // Synced by itself once promoted, so the shop's wave never waits on an unsynced data layer.
      expect(app.spec.syncPolicy?.automated?.selfHeal, app.metadata.name).toBe(true);
    }
  });

  it('never prune or delete an operator, a platform service or a data layer through a sync', () => {
    expect(root.spec.syncPolicy?.automated?.prune).toBe(false);
    for (const app of applications) {
      expect(app.metadata.finalizers ?? [], app.metadata.name).not.toContain(
        'resources-finalizer.argocd.argoproj.io',
      );
    }
    for (const app of [...platform.filter((p) => p.metadata.name !== 'opentelemetry-collector'), ...data]) {
      expect(syncOptions(app), app.metadata.name).toEqual(
        expect.arrayContaining(['Prune=false', 'Delete=false']),
      );
    }
    for (const name of ['cloudnative-pg', 'kube-prometheus-stack', 'minishop-production-data']) {
      expect(named(name).spec.syncPolicy?.automated?.prune, name).toBe(false);
    }
  });

  it('point only at charts and value files that exist in this repository', () => {
    for (const app of applications) {
      for (const source of sourcesOf(app)) {
        if (source.repoURL !== REPO) continue;
        expect(
          existsSync(path.join(ROOT, source.path!, 'Chart.yaml')) ||
            existsSync(path.join(ROOT, source.path!)),
          source.path,
        ).toBe(true);
        for (const file of source.helm?.valueFiles ?? []) {
          expect(existsSync(path.join(ROOT, source.path!, file)), `${app.metadata.name}: ${file}`).toBe(true);
        }
      }
    }
  });

  it('reference maintained platform charts at pinned versions instead of vendoring them', () => {
    const external = applications.flatMap(sourcesOf).filter((s) => s.repoURL !== REPO);
    expect(external.map((s) => s.chart).sort()).toEqual([
      'cloudnative-pg',
      'kube-prometheus-stack',
      'opentelemetry-collector',
      'valkey',
      'valkey',
    ]);
    for (const source of external) expect(source.targetRevision, source.chart).toMatch(/^\d+\.\d+\.\d+$/);
    expect(existsSync(path.join(ROOT, 'deploy/helm/minishop/charts'))).toBe(false);
    // Bitnami's versioned images moved to an unmaintained repository.
    expect(JSON.stringify(objects)).not.toMatch(/bitnami/i);
  });

  it('run production Valkey with Sentinel failover over a primary and two replicas', () => {
    const valkey = (app: string) =>
      sourcesOf(named(app)).find((s) => s.chart === 'valkey')!.helm!.valuesObject as {
        replica?: { enabled: boolean; replicas: number; sentinel?: { enabled: boolean; replicas: number } };
      };
    expect(valkey('minishop-production-data').replica).toMatchObject({
      enabled: true,
      replicas: 2,
      sentinel: { enabled: true, replicas: 3 },
    });
    expect(valkey('minishop-staging-data').replica).toBeUndefined();
  });

  it('wire every environment to the trace collector Argo CD installs', () => {
    const collector = named('opentelemetry-collector');
    const values = collector.spec.source!.helm!.valuesObject as { fullnameOverride: string };
    const endpoint = `http://${values.fullnameOverride}.${collector.spec.destination.namespace}:4318`;
    for (const env of ['staging', 'production']) {
      const file = path.join(ROOT, 'deploy/helm/minishop', `values-${env}.yaml`);
      expect(readYaml<{ tracing?: { otlpEndpoint: string } }>(file).tracing?.otlpEndpoint, env).toBe(
        endpoint,
      );
    }
  });

  it('keep the release name and database names the chart expects', () => {
    for (const app of shop) expect(sourcesOf(app)[0]!.helm?.releaseName).toBe('minishop');
    for (const app of data) {
      const shopApp = shop.find((s) => s.spec.destination.namespace === app.spec.destination.namespace);
      expect(shopApp, `shop app beside ${app.metadata.name}`).toBeDefined();
    }
  });

  it('let the shop project create no Secret and no cluster-wide object but its namespace', () => {
    const project = byKind<Project>('AppProject').find((p) => p.metadata.name === 'minishop')!;
    expect(project.spec.namespaceResourceBlacklist).toContainEqual({ group: '', kind: 'Secret' });
    expect(project.spec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
    for (const app of applications) {
      const own = byKind<Project>('AppProject').find((p) => p.metadata.name === app.spec.project)!;
      expect(
        own.spec.destinations.map((d) => d.namespace),
        app.metadata.name,
      ).toContain(app.spec.destination.namespace);
      for (const source of sourcesOf(app))
        expect(own.spec.sourceRepos, app.metadata.name).toContain(source.repoURL);
    }
  });
});
