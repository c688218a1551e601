// The Argo CD manifests: valid against Argo CD's schemas, pointing at charts and value files
// that exist, staging automated and production manual, and the platform pieces pinned.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { schemaProblems, type KubeObject } from './kube-schemas.ts';
import { ROOT, parseObjects } from './manifests.ts';

const ARGOCD = path.join(ROOT, 'deploy/argocd');
const files = [
  ...readdirSync(ARGOCD).filter((f) => f.endsWith('.yaml')),
  ...readdirSync(path.join(ARGOCD, 'apps')).map((f) => `apps/${f}`),
];
const objects = files.flatMap((f) => parseObjects(readFileSync(path.join(ARGOCD, f), 'utf8')));
const byKind = <T extends KubeObject>(kind: string) => objects.filter((o) => o.kind === kind) as T[];
const wave = (o: KubeObject) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
const REPO = 'https://github.com/minishop/minishop.git';

interface SyncPolicy {
  automated?: { prune?: boolean; selfHeal?: boolean };
  [option: string]: unknown;
}
interface AppSpec {
  project: string;
  source?: Source;
  sources?: Source[];
  destination: { namespace: string };
  syncPolicy?: SyncPolicy;
}
type App = KubeObject & { spec: AppSpec };
type AppSet = KubeObject & {
  spec: {
    generators: Array<{ list?: { elements: Array<Record<string, unknown>> } }>;
    template: { metadata: KubeObject['metadata']; spec: AppSpec };
    templatePatch?: string;
  };
};
type Project = KubeObject & {
  spec: {
    destinations: Array<{ namespace: string }>;
    namespaceResourceBlacklist?: Array<{ group: string; kind: string }>;
    clusterResourceWhitelist?: Array<{ group: string; kind: string }>;
  };
};

interface Source {
  repoURL: string;
  path?: string;
  chart?: string;
  targetRevision: string;
  helm?: { valueFiles?: string[]; releaseName?: string };
}

/** The Applications an ApplicationSet's list generator produces (Go template fields, patch applied). */
function generate(set: AppSet): App[] {
  const elements = set.spec.generators.flatMap((g) => g.list?.elements ?? []);
  return elements.map((element) => {
    const fill = (text: string) =>
      text.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, key: string) => {
        if (!(key in element)) throw new Error(`${set.metadata.name}: element has no ${key}`);
        return String(element[key]);
      });
    const app = parse(fill(JSON.stringify(set.spec.template))) as Pick<App, 'metadata' | 'spec'>;
    if (set.spec.templatePatch) {
      const patch = set.spec.templatePatch.replace(
        /\{\{-?\s*if \.(\w+)\s*\}\}([\s\S]*?)\{\{-?\s*end\s*\}\}/g,
        (_, key: string, body: string) => (element[key] ? body : ''),
      );
      const spec = (parse(fill(patch)) as { spec?: { syncPolicy?: SyncPolicy } } | null)?.spec;
      if (spec?.syncPolicy) app.spec.syncPolicy = { ...app.spec.syncPolicy, ...spec.syncPolicy };
    }
    return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...app };
  });
}

const applications: App[] = [
  ...byKind<App>('Application'),
  ...byKind<AppSet>('ApplicationSet').flatMap(generate),
];
const sourcesOf = (app: App): Source[] => app.spec.sources ?? (app.spec.source ? [app.spec.source] : []);

describe('Argo CD manifests', () => {
  it('are valid against the Argo CD schemas, including every generated Application', () => {
    expect(objects.length).toBeGreaterThan(0);
    expect([...objects, ...applications].flatMap(schemaProblems)).toEqual([]);
  });

  it('have a root Application that creates everything under deploy/argocd/apps', () => {
    const root = byKind<App>('Application').find((a) => a.spec.source?.path === 'deploy/argocd/apps');
    expect(root).toBeDefined();
    expect(root!.spec.syncPolicy?.automated).toMatchObject({ prune: true, selfHeal: true });
    const children = readdirSync(path.join(ARGOCD, 'apps')).flatMap((f) =>
      parseObjects(readFileSync(path.join(ARGOCD, 'apps', f), 'utf8')),
    );
    expect(children.every((c) => c.kind === 'Application' || c.kind === 'ApplicationSet')).toBe(true);
    expect(children.some((c) => c.metadata.name === root!.metadata.name)).toBe(false);
  });

  it('deploy the chart per environment: staging automated with prune and self-heal, production by hand', () => {
    const shop = applications.filter((a) => sourcesOf(a).some((s) => s.path === 'deploy/helm/minishop'));
    expect(shop.map((a) => a.metadata.name).sort()).toEqual(['minishop-production', 'minishop-staging']);
    const staging = shop.find((a) => a.metadata.name === 'minishop-staging')!;
    const production = shop.find((a) => a.metadata.name === 'minishop-production')!;
    expect(staging.spec.syncPolicy?.automated).toEqual({ prune: true, selfHeal: true });
    expect(production.spec.syncPolicy?.automated).toBeUndefined();
    expect(staging.spec.destination.namespace).not.toBe(production.spec.destination.namespace);
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

  it('reference platform charts at pinned versions instead of vendoring them', () => {
    const external = applications.flatMap(sourcesOf).filter((s) => s.repoURL !== REPO);
    expect(external.map((s) => s.chart).sort()).toEqual([
      'cloudnative-pg',
      'kube-prometheus-stack',
      'redis',
      'redis',
    ]);
    for (const source of external) expect(source.targetRevision, source.chart).toMatch(/^\d+\.\d+\.\d+$/);
    expect(existsSync(path.join(ROOT, 'deploy/helm/minishop/charts'))).toBe(false);
  });

  it('order the sync: operators, then each environment data layer, then the shop', () => {
    const named = (name: string) => objects.find((o) => o.metadata.name === name)!;
    expect(wave(named('cloudnative-pg'))).toBeLessThan(wave(named('minishop-data')));
    expect(wave(named('kube-prometheus-stack'))).toBeLessThan(wave(named('minishop-data')));
    expect(wave(named('minishop-data'))).toBeLessThan(wave(named('minishop')));
  });

  it('keep the release name and database names the chart expects', () => {
    const shop = applications.filter((a) => sourcesOf(a).some((s) => s.path === 'deploy/helm/minishop'));
    for (const app of shop) expect(sourcesOf(app)[0]!.helm?.releaseName).toBe('minishop');
    const data = applications.filter((a) =>
      sourcesOf(a).some((s) => s.path === 'deploy/helm/minishop-databases'),
    );
    expect(data).toHaveLength(2);
    for (const app of data) {
      const shopApp = shop.find((s) => s.spec.destination.namespace === app.spec.destination.namespace);
      expect(shopApp, `shop app beside ${app.metadata.name}`).toBeDefined();
    }
  });

  it('let the shop project create no Secret and no cluster-wide object but its namespace', () => {
    const project = byKind<Project>('AppProject').find((p) => p.metadata.name === 'minishop')!;
    expect(project.spec.namespaceResourceBlacklist).toContainEqual({ group: '', kind: 'Secret' });
    expect(project.spec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
    for (const app of applications.filter((a) => a.spec.project === 'minishop')) {
      const allowed = project.spec.destinations.map((d) => d.namespace);
      expect(allowed, app.metadata.name).toContain(app.spec.destination.namespace);
    }
  });
});
