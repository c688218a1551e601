// The Helm charts, checked without a cluster: `helm lint --strict` and `helm template` with the
// default, staging and production values, every rendered object against its API schema, and
// the platform policies every service must meet. When the pinned Helm cannot be built outside CI,
// the Helm steps are skipped and the schema and policy checks run over the committed rendering;
// in CI the Helm steps fail instead.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { schemaProblems, type KubeObject } from './kube-schemas.ts';
import {
  CHART,
  DATABASES_CHART,
  ENVIRONMENTS,
  findTool,
  usable,
  helm,
  parseObjects,
  readYaml,
  renderChart,
  ROOT,
  renderedFixture,
  valuesFile,
  type Environment,
} from './manifests.ts';
import {
  allowed,
  containerEnv,
  egressRulesFor,
  ingressRulesFor,
  ofKind,
  podLabels,
  selects,
  type NetworkPolicy,
  type Workload,
} from './policy.ts';
import {
  SERVICE_NAMES,
  environmentProblems,
  loadServiceConfig,
  type ServiceConfig,
} from './service-config.ts';

/** Variables that hold credentials: they must come from a Secret, never from a literal. */
const SECRET_NAME = /SECRET|PASSWORD|TOKEN|_KEY$|^DATABASE_URL$|^REDIS_URL$|^SERVICE_CLIENTS$|^SMTP_USER$/;
/** Release name of kube-prometheus-stack as Argo CD installs it: its Prometheus selects on it. */
const PROMETHEUS_RELEASE = readYaml<{ spec: { source: { helm: { releaseName: string } } } }>(
  path.join(ROOT, 'deploy/argocd/apps/kube-prometheus-stack.yaml'),
).spec.source.helm.releaseName;
/** Values of the Valkey chart that Argo CD installs beside an environment (its data Application). */
interface ValkeyValues {
  fullnameOverride?: string;
  auth?: { enabled?: boolean; usersExistingSecret?: string };
  replica?: {
    enabled?: boolean;
    sentinel?: {
      enabled?: boolean;
      masterSet?: string;
      passwordKey?: string;
      service?: { port?: number };
    };
  };
}
/**
 * The Valkey chart's defaults for what the services need to find its Sentinels. Its Sentinels turn
 * their default user off and admit only the ACL user `sentinel`, whatever the values say.
 */
const VALKEY_DEFAULTS = {
  masterSet: 'mymaster',
  sentinelPort: 26379,
  sentinelPasswordKey: 'sentinel',
  sentinelUser: 'sentinel',
};
/** Release name Argo CD gives the Valkey chart: its pods carry it as app.kubernetes.io/instance. */
const VALKEY_RELEASE = 'valkey';
/** What a service that uses Redis is told about the Sentinels, if there are any. */
const SENTINEL_VARS = [
  'REDIS_SENTINELS',
  'REDIS_SENTINEL_MASTER',
  'REDIS_SENTINEL_USERNAME',
  'REDIS_SENTINEL_PASSWORD',
] as const;

/** The Valkey Argo CD installs beside an environment; the chart's defaults have none. */
function valkeyOf(env: Environment): ValkeyValues | null {
  if (env === 'default') return null;
  const app = readYaml<{
    spec: {
      sources: Array<{ chart?: string; helm?: { releaseName?: string; valuesObject?: ValkeyValues } }>;
    };
  }>(path.join(ROOT, `deploy/argocd/apps/minishop-${env}-data.yaml`));
  const source = app.spec.sources.find((s) => s.chart === 'valkey');
  if (!source) throw new Error(`minishop-${env}-data installs no Valkey`);
  expect(source.helm?.releaseName).toBe(VALKEY_RELEASE);
  return source.helm?.valuesObject ?? {};
}

/** The port every container serves /healthz, /readyz and /metrics on. */
const MANAGEMENT_PORT = 9000;
/** Seconds a service may spend draining after SIGTERM (the kit's default). */
const DRAIN_SECONDS = 15;

let helmBinary: string | null = null;
const rendered = new Map<Environment, { text: string; objects: KubeObject[] }>();
const renderedDatabases = new Map<Environment, { text: string; objects: KubeObject[] }>();
const configs = new Map<string, ServiceConfig>();

beforeAll(async () => {
  helmBinary = await findTool('helm');
  for (const env of ENVIRONMENTS) {
    for (const [chart, into] of [
      [CHART, rendered],
      [DATABASES_CHART, renderedDatabases],
    ] as const) {
      const text = helmBinary
        ? renderChart(helmBinary, chart, env)
        : readFileSync(renderedFixture(chart, env), 'utf8');
      into.set(env, { text, objects: parseObjects(text) });
    }
  }
  for (const name of SERVICE_NAMES) configs.set(name, await loadServiceConfig(name));
}, 20 * 60_000);

function needHelm(ctx: TestContext): string {
  return usable(ctx, 'helm', helmBinary);
}

function templateFails(binary: string, values: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'minishop-values-'));
  const file = path.join(dir, 'values.yaml');
  writeFileSync(file, values);
  try {
    renderChart(binary, CHART, 'default', [file]);
    return '';
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
}

describe('helm', () => {
  it.for(ENVIRONMENTS)('lints both charts strictly with the %s values', (env, ctx) => {
    const binary = needHelm(ctx);
    for (const chart of [CHART, DATABASES_CHART]) {
      const file = valuesFile(chart, env);
      const output = helm(binary, ['lint', '--strict', chart, ...(file ? ['-f', file] : [])]);
      expect(output).toContain('0 chart(s) failed');
      expect(output).not.toMatch(/\[(WARNING|ERROR)\]/);
    }
  });

  it.for(ENVIRONMENTS)('renders what is committed for the %s values', async (env, ctx) => {
    needHelm(ctx);
    await expect(rendered.get(env)!.text).toMatchFileSnapshot(renderedFixture(CHART, env));
    await expect(renderedDatabases.get(env)!.text).toMatchFileSnapshot(renderedFixture(DATABASES_CHART, env));
  });

  it('refuses values with a key the chart does not know', (ctx) => {
    const binary = needHelm(ctx);
    expect(templateFails(binary, 'replicaCount: 3\n')).toMatch(
      /additional properties 'replicaCount' not allowed/,
    );
    expect(templateFails(binary, 'services:\n  orders:\n    replicas: 3\n')).toMatch(
      /'replicas' not allowed/,
    );
  });

  it('refuses an unpinned image tag and a secret written into plain settings', (ctx) => {
    const binary = needHelm(ctx);
    expect(templateFails(binary, 'image:\n  tag: latest\n')).toMatch(/image\/tag/);
    expect(templateFails(binary, 'image:\n  tag: ""\n')).toMatch(/image\/tag/);
    expect(
      templateFails(binary, 'services:\n  payments:\n    env:\n      PAYMENT_WEBHOOK_SECRET: whsec_x\n'),
    ).toMatch(/PAYMENT_WEBHOOK_SECRET/);
  });

  it('pins an image by digest where one is given, pulling it only when the node lacks it', (ctx) => {
    const binary = needHelm(ctx);
    const digest = `sha256:${'ab'.repeat(32)}`;
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'minishop-values-')), 'values.yaml');
    writeFileSync(file, `image:\n  digests:\n    orders: ${digest}\n`);
    const objects = parseObjects(renderChart(binary, CHART, 'default', [file]));
    const workloads = [...ofKind<Workload>(objects, 'Deployment'), ...ofKind<Workload>(objects, 'Job')];
    expect(workloads.length).toBeGreaterThan(2);
    for (const w of workloads) {
      const container = w.spec.template.spec.containers[0]!;
      const annotations = w.metadata.annotations ?? {};
      if (podLabels(w)['app.kubernetes.io/name'] === 'orders') {
        expect(container.image).toBe(`ghcr.io/minishop/orders:0.1.0@${digest}`);
        expect(container.imagePullPolicy).toBe('IfNotPresent');
        expect(annotations['kube-score/ignore']).toContain('container-image-pull-policy');
      } else {
        // A tag can be moved to other content, so it is looked up again on every start.
        expect(container.image).toMatch(/:0\.1\.0$/);
        expect(container.imagePullPolicy).toBe('Always');
        expect(annotations['kube-score/ignore'] ?? '').not.toContain('container-image-pull-policy');
      }
    }
    expect(templateFails(binary, 'image:\n  digests:\n    orders: sha256:abc\n')).toMatch(/digests/);
  });

  it('refuses a call to a service that does not exist', (ctx) => {
    const binary = needHelm(ctx);
    expect(templateFails(binary, 'services:\n  cart:\n    calls: [auth, inventory]\n')).toMatch(/calls/);
  });
});

describe.each(ENVIRONMENTS)('the chart rendered with the %s values', (env) => {
  const objects = () => rendered.get(env)!.objects;
  const deployments = () => ofKind<Workload>(objects(), 'Deployment');
  const jobs = () => ofKind<Workload>(objects(), 'Job');
  const policies = () => ofKind<NetworkPolicy>(objects(), 'NetworkPolicy');
  const serviceOf = (w: Workload) => podLabels(w)['app.kubernetes.io/name']!;

  it('has a Deployment for every service of the repository', () => {
    expect(deployments().map(serviceOf).sort()).toEqual(SERVICE_NAMES);
  });

  it('is valid against the Kubernetes, Argo CD and Prometheus operator schemas', () => {
    const problems = [...objects(), ...renderedDatabases.get(env)!.objects].flatMap(schemaProblems);
    expect(problems).toEqual([]);
  });

  it('contains no Secret and no credential outside a Secret reference', () => {
    const problems: string[] = [];
    for (const o of [...objects(), ...renderedDatabases.get(env)!.objects]) {
      if (o.kind === 'Secret') problems.push(`Secret/${o.metadata.name} is rendered`);
      if (o.kind === 'ConfigMap') {
        for (const key of Object.keys((o as { data?: object }).data ?? {})) {
          if (SECRET_NAME.test(key)) problems.push(`ConfigMap/${o.metadata.name} holds ${key}`);
        }
      }
    }
    for (const w of [...deployments(), ...jobs()]) {
      for (const c of w.spec.template.spec.containers) {
        for (const e of c.env ?? []) {
          if (SECRET_NAME.test(e.name) && !e.valueFrom?.secretKeyRef)
            problems.push(`${w.metadata.name}: ${e.name} literal`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives each service readiness on /readyz, liveness on /healthz and a startup probe, on its management port', () => {
    for (const d of deployments()) {
      for (const c of d.spec.template.spec.containers) {
        expect(c.readinessProbe?.httpGet, d.metadata.name).toEqual({ path: '/readyz', port: 'management' });
        expect(c.livenessProbe?.httpGet, d.metadata.name).toEqual({ path: '/healthz', port: 'management' });
        expect(c.startupProbe?.httpGet?.port, d.metadata.name).toBe('management');
      }
    }
  });

  it('sets CPU, memory and ephemeral-storage requests and limits on every container', () => {
    const problems: string[] = [];
    for (const w of [...deployments(), ...jobs()]) {
      for (const c of w.spec.template.spec.containers) {
        for (const kind of ['requests', 'limits'] as const) {
          for (const resource of ['cpu', 'memory', 'ephemeral-storage']) {
            if (!c.resources?.[kind]?.[resource]) problems.push(`${w.metadata.name}: no ${resource} ${kind}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('runs every pod under the restricted security profile with only /tmp writable', () => {
    const problems: string[] = [];
    for (const w of [...deployments(), ...jobs()]) {
      const pod = w.spec.template.spec;
      const name = w.metadata.name;
      if (pod.securityContext?.runAsNonRoot !== true) problems.push(`${name}: pod may run as root`);
      if ((pod.securityContext?.seccompProfile as { type?: string })?.type !== 'RuntimeDefault') {
        problems.push(`${name}: pod seccomp is not RuntimeDefault`);
      }
      if (pod.automountServiceAccountToken !== false) problems.push(`${name}: service account token mounted`);
      const emptyDirs = new Set((pod.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name));
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const sc = c.securityContext ?? {};
        if (sc.allowPrivilegeEscalation !== false) problems.push(`${name}/${c.name}: privilege escalation`);
        if (sc.readOnlyRootFilesystem !== true) problems.push(`${name}/${c.name}: writable root filesystem`);
        if (sc.runAsNonRoot !== true && pod.securityContext?.runAsNonRoot !== true)
          problems.push(`${name}: root`);
        if (!sc.capabilities?.drop?.includes('ALL') || sc.capabilities.add?.length) {
          problems.push(`${name}/${c.name}: capabilities not dropped`);
        }
        if (!(c.volumeMounts ?? []).some((m) => m.mountPath === '/tmp' && emptyDirs.has(m.name))) {
          problems.push(`${name}/${c.name}: no emptyDir at /tmp`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('uses a ServiceAccount per service that mounts no token', () => {
    const accounts = ofKind<KubeObject & { automountServiceAccountToken?: boolean }>(
      objects(),
      'ServiceAccount',
    );
    for (const d of deployments()) {
      const account = accounts.find((a) => a.metadata.name === d.spec.template.spec.serviceAccountName);
      expect(account?.automountServiceAccountToken, d.metadata.name).toBe(false);
    }
  });

  it('lets every pod finish its requests on shutdown, and spreads replicas over zones and nodes', () => {
    for (const d of deployments()) {
      const pod = d.spec.template.spec;
      const preStop = pod.containers[0]!.lifecycle?.preStop;
      const pause = preStop?.sleep?.seconds ?? Number(preStop?.exec?.command.at(-1));
      expect(pause, d.metadata.name).toBeGreaterThan(0);
      expect(pod.terminationGracePeriodSeconds, d.metadata.name).toBeGreaterThanOrEqual(
        pause + DRAIN_SECONDS,
      );
      expect(pod.topologySpreadConstraints?.length, d.metadata.name).toBeGreaterThanOrEqual(2);
    }
  });

  it('pairs every Deployment with a PodDisruptionBudget, an autoscaler and a NetworkPolicy', () => {
    const pdbs = ofKind<
      KubeObject & {
        spec: { selector: { matchLabels: Record<string, string> }; unhealthyPodEvictionPolicy?: string };
      }
    >(objects(), 'PodDisruptionBudget');
    const hpas = ofKind<
      KubeObject & {
        spec: {
          scaleTargetRef: { kind: string; name: string };
          minReplicas: number;
          maxReplicas: number;
          metrics: Array<{ resource?: { name: string } }>;
        };
      }
    >(objects(), 'HorizontalPodAutoscaler');
    for (const d of deployments()) {
      const labels = podLabels(d);
      const own = pdbs.filter((p) => selects(p.spec.selector, labels));
      expect(own, `PDB of ${d.metadata.name}`).toHaveLength(1);
      // A pod that is not ready may always be evicted, so a crash-looping pod never blocks a drain.
      expect(own[0]!.spec.unhealthyPodEvictionPolicy, d.metadata.name).toBe('AlwaysAllow');
      const hpa = hpas.find(
        (h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === d.metadata.name,
      );
      expect(hpa, `HPA of ${d.metadata.name}`).toBeDefined();
      expect(hpa!.spec.minReplicas).toBeLessThanOrEqual(hpa!.spec.maxReplicas);
      // Memory stays where load left it, so only CPU can scale a service back down.
      expect(hpa!.spec.metrics.map((m) => m.resource?.name)).toEqual(['cpu']);
      expect((d.spec as { replicas?: number }).replicas, 'replicas belong to the HPA').toBeUndefined();
      const ownPolicies = policies().filter(
        (p) =>
          Object.keys(p.spec.podSelector.matchLabels ?? {}).length > 0 && selects(p.spec.podSelector, labels),
      );
      expect(
        ownPolicies.some((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === serviceOf(d)),
      ).toBe(true);
    }
  });

  it('denies all traffic to and from the shop pods unless a policy allows it', () => {
    const deny = policies().find(
      (p) => (p.spec.ingress ?? []).length === 0 && (p.spec.egress ?? []).length === 0,
    );
    expect(deny?.spec.policyTypes?.sort()).toEqual(['Egress', 'Ingress']);
    for (const w of [...deployments(), ...jobs()])
      expect(selects(deny!.spec.podSelector, podLabels(w))).toBe(true);
  });

  it('pins every image to a release tag or digest', () => {
    const problems: string[] = [];
    for (const w of [...deployments(), ...jobs()]) {
      for (const c of w.spec.template.spec.containers) {
        const pinned =
          /@sha256:[a-f0-9]{64}$/.test(c.image) ||
          /:[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(c.image.split('/').at(-1)!);
        if (!pinned || /:latest$/.test(c.image)) problems.push(`${w.metadata.name}: ${c.image}`);
      }
    }
    for (const cluster of renderedDatabases.get(env)!.objects.filter((o) => o.kind === 'Cluster')) {
      const image = (cluster.spec as { imageName: string }).imageName;
      if (!/:[0-9][\w.-]*$|@sha256:/.test(image)) problems.push(`${cluster.metadata.name}: ${image}`);
    }
    expect(problems).toEqual([]);
  });

  it('gives every service exactly the variables its code reads, with every required one set', () => {
    const problems: string[] = [];
    for (const w of [...deployments(), ...jobs()]) {
      const config = configs.get(serviceOf(w))!;
      const container = w.spec.template.spec.containers[0]!;
      for (const p of environmentProblems(config, containerEnv(container, objects()))) {
        problems.push(`${w.kind}/${w.metadata.name}: ${p}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('serves on the port each service reads from PORT, and health and metrics on MANAGEMENT_PORT 9000', () => {
    const services = ofKind<
      KubeObject & {
        spec: {
          selector: Record<string, string>;
          ports: Array<{ name: string; port: number; targetPort: string | number }>;
        };
      }
    >(objects(), 'Service');
    for (const d of deployments()) {
      const config = configs.get(serviceOf(d))!;
      expect(config.vars.has('MANAGEMENT_PORT'), `${serviceOf(d)} reads MANAGEMENT_PORT`).toBe(true);
      const container = d.spec.template.spec.containers[0]!;
      expect(container.ports, d.metadata.name).toEqual([
        { name: 'http', containerPort: config.port, protocol: 'TCP' },
        { name: 'management', containerPort: MANAGEMENT_PORT, protocol: 'TCP' },
      ]);
      expect(containerEnv(container, objects()).MANAGEMENT_PORT).toBe(String(MANAGEMENT_PORT));
      const service = services.find((s) => selects({ matchLabels: s.spec.selector }, podLabels(d)));
      expect(
        service?.spec.ports.map((p) => [p.name, p.port, p.targetPort]),
        d.metadata.name,
      ).toEqual([
        ['http', config.port, 'http'],
        ['management', MANAGEMENT_PORT, 'management'],
      ]);
      expect(container.command, d.metadata.name).toEqual(['node', `services/${serviceOf(d)}/src/main.ts`]);
    }
  });

  it('lets only the monitoring namespace reach a management port, and routes no public path to it', () => {
    const problems: string[] = [];
    for (const d of deployments()) {
      for (const from of [...deployments(), ...jobs()]) {
        if (allowed(policies(), podLabels(from), podLabels(d), MANAGEMENT_PORT))
          problems.push(`${from.metadata.name} may reach ${d.metadata.name}:${MANAGEMENT_PORT}`);
      }
      for (const rule of ingressRulesFor(policies(), podLabels(d))) {
        const opensManagement = (rule.ports ?? []).some((p) => Number(p.port) === MANAGEMENT_PORT);
        if (!opensManagement) continue;
        const monitoringOnly = (rule.from ?? []).every(
          (peer) =>
            !peer.podSelector &&
            !peer.ipBlock &&
            peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring',
        );
        if (!monitoringOnly)
          problems.push(`${d.metadata.name}: management port open to ${JSON.stringify(rule.from)}`);
      }
    }
    const backends = ofKind<
      KubeObject & {
        spec: {
          rules: Array<{ http: { paths: Array<{ path: string; backend: { service: { port: object } } }> } }>;
        };
      }
    >(objects(), 'Ingress').flatMap((i) => i.spec.rules.flatMap((r) => r.http.paths));
    expect(backends.map((b) => [b.path, b.backend.service.port])).toEqual([['/', { name: 'http' }]]);
    expect(problems).toEqual([]);
  });

  it('opens the network exactly along the calls the services are configured to make', () => {
    const services = ofKind<KubeObject & { spec: { selector: Record<string, string> } }>(
      objects(),
      'Service',
    );
    const byHost = new Map(services.map((s) => [s.metadata.name, s]));
    const calls = new Set<string>();
    const problems: string[] = [];
    for (const d of deployments()) {
      const env = containerEnv(d.spec.template.spec.containers[0]!, objects());
      for (const [key, value] of Object.entries(env)) {
        if (!/_URL$/.test(key) || value.startsWith('<secret')) continue;
        const url = new URL(value);
        const service = byHost.get(url.hostname);
        if (!service) continue; // outside the cluster (the payment provider)
        const target = deployments().find((t) =>
          selects({ matchLabels: service.spec.selector }, podLabels(t)),
        )!;
        calls.add(`${serviceOf(d)}->${serviceOf(target)}`);
        if (!allowed(policies(), podLabels(d), podLabels(target), Number(url.port))) {
          problems.push(`${serviceOf(d)} cannot reach ${serviceOf(target)} on ${url.port}`);
        }
      }
    }
    for (const from of deployments()) {
      for (const to of deployments()) {
        if (from === to) continue;
        const port = configs.get(serviceOf(to))!.port;
        const open = allowed(policies(), podLabels(from), podLabels(to), port);
        if (open && !calls.has(`${serviceOf(from)}->${serviceOf(to)}`)) {
          problems.push(`${serviceOf(from)} may reach ${serviceOf(to)} without calling it`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(calls.size).toBeGreaterThan(0);
  });

  it('admits outside traffic only to the gateway, from the ingress controller', () => {
    for (const d of deployments()) {
      const fromOutside = ingressRulesFor(policies(), podLabels(d)).flatMap((r) =>
        (r.from ?? []).filter((peer) => peer.namespaceSelector && peer.podSelector),
      );
      expect(fromOutside.length > 0, d.metadata.name).toBe(serviceOf(d) === 'gateway');
    }
    const ingresses = ofKind<
      KubeObject & {
        spec: {
          tls: Array<{ secretName: string; hosts: string[] }>;
          rules: Array<{ host: string; http: { paths: Array<{ backend: { service: { name: string } } }> } }>;
        };
      }
    >(objects(), 'Ingress');
    expect(ingresses).toHaveLength(1);
    const ingress = ingresses[0]!;
    expect(ingress.spec.tls[0]?.hosts).toEqual([ingress.spec.rules[0]?.host]);
    expect(ingress.spec.rules[0]?.http.paths.map((p) => p.backend.service.name)).toEqual([
      'minishop-gateway',
    ]);
  });

  it('lets each service reach only its own database, and only Redis users reach Redis', () => {
    const problems: string[] = [];
    for (const w of [...deployments(), ...jobs()]) {
      const name = serviceOf(w);
      const env = containerEnv(w.spec.template.spec.containers[0]!, objects());
      const egress = egressRulesFor(policies(), podLabels(w));
      const databases = egress
        .flatMap((r) => (r.to ?? []).map((p) => p.podSelector?.matchLabels?.['cnpg.io/cluster']))
        .filter(Boolean);
      const expected = env.DATABASE_URL ? [`minishop-db-${name}`] : [];
      if (JSON.stringify(databases) !== JSON.stringify(expected))
        problems.push(`${w.metadata.name}: databases ${databases}`);
      if (env.DATABASE_URL && env.DATABASE_URL !== `<secret minishop-db-${name}-app/uri>`) {
        problems.push(`${w.metadata.name}: DATABASE_URL from ${env.DATABASE_URL}`);
      }
      const redis = egress.some((r) =>
        (r.to ?? []).some((p) => p.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'valkey'),
      );
      // Migrations only talk to their database, even where they are given the service's whole environment.
      const needsRedis = w.kind === 'Deployment' && env.REDIS_URL !== undefined;
      if (redis !== needsRedis) problems.push(`${w.metadata.name}: Redis egress ${redis}`);
      const outside = egress.some((r) => (r.to ?? []).some((p) => p.ipBlock?.cidr === '0.0.0.0/0'));
      if (outside && !['payments', 'notifications'].includes(name))
        problems.push(`${w.metadata.name}: egress to the internet`);
    }
    expect(problems).toEqual([]);
  });

  it('connects the Redis users through the Sentinels wherever the environment runs Valkey with them', () => {
    const valkey = valkeyOf(env);
    const sentinel =
      valkey?.replica?.enabled && valkey.replica.sentinel?.enabled ? valkey.replica.sentinel : null;
    const fullname = valkey?.fullnameOverride ?? VALKEY_RELEASE;
    const port = sentinel?.service?.port ?? VALKEY_DEFAULTS.sentinelPort;
    const expected: Partial<Record<(typeof SENTINEL_VARS)[number], string>> = sentinel
      ? {
          REDIS_SENTINELS: `${fullname}-sentinel:${port}`,
          REDIS_SENTINEL_MASTER: sentinel.masterSet ?? VALKEY_DEFAULTS.masterSet,
          REDIS_SENTINEL_USERNAME: VALKEY_DEFAULTS.sentinelUser,
          // The Sentinels' password sits beside the Valkey users' passwords, in the same Secret.
          REDIS_SENTINEL_PASSWORD:
            valkey?.auth?.enabled && valkey.auth.usersExistingSecret
              ? `<secret ${valkey.auth.usersExistingSecret}/${sentinel.passwordKey ?? VALKEY_DEFAULTS.sentinelPasswordKey}>`
              : undefined,
        }
      : {};
    // As the Valkey chart labels its pods: the data nodes, and the Sentinels beside them.
    const dataNode = { 'app.kubernetes.io/name': 'valkey', 'app.kubernetes.io/instance': VALKEY_RELEASE };
    const sentinelPod = { ...dataNode, 'app.kubernetes.io/component': 'sentinel' };
    const redisUsers: string[] = [];
    const problems: string[] = [];
    for (const d of deployments()) {
      const vars = containerEnv(d.spec.template.spec.containers[0]!, objects());
      const usesRedis = vars.REDIS_URL !== undefined;
      if (usesRedis) redisUsers.push(serviceOf(d));
      for (const key of SENTINEL_VARS) {
        const want = usesRedis ? expected[key] : undefined;
        if (vars[key] !== want) problems.push(`${serviceOf(d)}: ${key} is ${vars[key]}, expected ${want}`);
      }
      // The Sentinel names the primary by its address, so the data nodes must stay reachable too.
      if (allowed(policies(), podLabels(d), dataNode, 6379) !== usesRedis)
        problems.push(`${serviceOf(d)}: data nodes on 6379 ${usesRedis ? 'closed' : 'open'}`);
      const sentinelOpen = allowed(policies(), podLabels(d), sentinelPod, port);
      if (sentinelOpen !== (usesRedis && sentinel !== null))
        problems.push(`${serviceOf(d)}: Sentinels on ${port} ${sentinelOpen ? 'open' : 'closed'}`);
    }
    expect(problems).toEqual([]);
    expect(redisUsers.sort()).toEqual(['auth', 'cart', 'gateway']);
    // Production's Valkey fails over through Sentinels; staging runs one node.
    expect(sentinel !== null).toBe(env === 'production');
  });

  it('migrates each database before install and upgrade, then starts the services, the gateway last', () => {
    const dbServices = deployments().filter(
      (d) => containerEnv(d.spec.template.spec.containers[0]!, objects()).DATABASE_URL,
    );
    expect(jobs().map(serviceOf).sort()).toEqual(dbServices.map(serviceOf).sort());
    for (const job of jobs()) {
      const annotations = job.metadata.annotations ?? {};
      expect(annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      expect(annotations['argocd.argoproj.io/hook']).toBe('PreSync');
      expect(job.spec.template.spec.containers[0]!.command).toEqual([
        'node',
        `services/${serviceOf(job)}/src/migrate.ts`,
      ]);
    }
    const wave = (o: KubeObject) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
    const gateway = deployments().find((d) => serviceOf(d) === 'gateway')!;
    for (const d of deployments()) if (d !== gateway) expect(wave(d)).toBeLessThan(wave(gateway));
  });

  it('scrapes metrics from every service when monitoring is on', () => {
    const monitors = ofKind<KubeObject & { spec: { endpoints: Array<{ path: string; port: string }> } }>(
      objects(),
      'ServiceMonitor',
    );
    if (monitors.length === 0) return expect(env).toBe('default');
    expect(monitors).toHaveLength(deployments().length);
    for (const m of monitors) {
      expect(m.spec.endpoints[0]).toMatchObject({ path: '/metrics', port: 'management' });
    }
  });

  it('labels every ServiceMonitor, PodMonitor and PrometheusRule for the Prometheus Argo CD installs', () => {
    const dbObjects = renderedDatabases.get(env)!.objects;
    const podMonitors = ofKind<
      KubeObject & {
        spec: { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: unknown[] };
      }
    >(dbObjects, 'PodMonitor');
    const clusters = dbObjects.filter((o) => o.kind === 'Cluster').map((c) => c.metadata.name);
    if (env === 'default') return expect(podMonitors).toEqual([]);
    expect(podMonitors.map((m) => m.spec.selector.matchLabels['cnpg.io/cluster']).sort()).toEqual(
      clusters.sort(),
    );
    for (const m of podMonitors) expect(m.spec.podMetricsEndpoints).toEqual([{ port: 'metrics' }]);
    // kube-prometheus-stack's Prometheus selects only objects labelled release=<its release>.
    const release = PROMETHEUS_RELEASE;
    const scraped = [
      ...podMonitors,
      ...ofKind(objects(), 'ServiceMonitor'),
      ...ofKind(objects(), 'PrometheusRule'),
    ];
    expect(scraped.length).toBeGreaterThan(podMonitors.length);
    for (const o of scraped) expect(o.metadata.labels?.release, `${o.kind}/${o.metadata.name}`).toBe(release);
  });

  it('declares a PostgreSQL cluster for every service with a database, reachable by that service only', () => {
    const dbObjects = renderedDatabases.get(env)!.objects;
    const clusters = dbObjects.filter((o) => o.kind === 'Cluster');
    const dbPolicies = ofKind<NetworkPolicy>(dbObjects, 'NetworkPolicy');
    const dbServices = deployments().filter(
      (d) => containerEnv(d.spec.template.spec.containers[0]!, objects()).DATABASE_URL,
    );
    expect(clusters.map((c) => c.metadata.name).sort()).toEqual(
      dbServices.map((d) => `minishop-db-${serviceOf(d)}`).sort(),
    );
    // No sync, uninstall or edit of the values ever deletes a database.
    for (const cluster of clusters) {
      expect(cluster.metadata.annotations?.['argocd.argoproj.io/sync-options']).toBe(
        'Prune=false,Delete=false',
      );
      expect(cluster.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    }
    for (const d of deployments()) {
      for (const cluster of clusters) {
        const pod = { 'cnpg.io/cluster': cluster.metadata.name };
        const reach = allowed([...policies(), ...dbPolicies], podLabels(d), pod, 5432);
        expect(reach, `${serviceOf(d)} -> ${cluster.metadata.name}`).toBe(
          cluster.metadata.name === `minishop-db-${serviceOf(d)}`,
        );
      }
    }
  });
});
