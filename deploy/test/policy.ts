// Reading rendered Kubernetes objects the way the cluster would: which pods a selector picks,
// what environment a container ends up with, and whether NetworkPolicies let one pod reach another.
import type { KubeObject } from './kube-schemas.ts';

export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[]; add?: string[] } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  startupProbe?: { httpGet?: { path: string; port: string | number } };
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  initContainers?: Container[];
  volumes?: Array<{ name: string; emptyDir?: object }>;
  topologySpreadConstraints?: unknown[];
}
export interface Workload extends KubeObject {
  spec: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec }; selector?: Selector };
}
export interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: unknown[];
}
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface PolicyRule {
  from?: Peer[];
  to?: Peer[];
  ports?: Array<{ port?: number | string; protocol?: string }>;
}
export interface NetworkPolicy extends KubeObject {
  spec: { podSelector: Selector; policyTypes?: string[]; ingress?: PolicyRule[]; egress?: PolicyRule[] };
}

export const ofKind = <T extends KubeObject>(objects: KubeObject[], kind: string) =>
  objects.filter((o) => o.kind === kind) as T[];

/** Whether a selector picks a set of labels (matchExpressions are not used by these charts). */
export function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  if (selector.matchExpressions?.length)
    throw new Error('matchExpressions are not evaluated by these checks');
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

export function podLabels(workload: Workload): Record<string, string> {
  return workload.spec.template.metadata.labels;
}

/** The environment of a container: its ConfigMaps (envFrom) and env entries (secret refs as placeholders). */
export function containerEnv(container: Container, objects: KubeObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.secretRef)
      throw new Error(`${container.name}: envFrom a whole Secret hides which keys it reads`);
    const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === source.configMapRef?.name);
    if (!map) throw new Error(`${container.name}: ConfigMap ${source.configMapRef?.name} is not rendered`);
    Object.assign(env, (map as KubeObject & { data?: Record<string, string> }).data ?? {});
  }
  for (const entry of container.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef;
    env[entry.name] = ref ? `<secret ${ref.name}/${ref.key}>` : String(entry.value ?? '');
  }
  return env;
}

const portMatches = (rule: PolicyRule, port: number) =>
  !rule.ports ||
  rule.ports.length === 0 ||
  rule.ports.some((p) => p.port === undefined || Number(p.port) === port);

/** Whether a pod in the namespace may open a connection to another pod of the namespace on a port. */
export function allowed(
  policies: NetworkPolicy[],
  from: Record<string, string>,
  to: Record<string, string>,
  port: number,
): boolean {
  const peerIsPod = (peer: Peer, labels: Record<string, string>) =>
    !peer.namespaceSelector && !peer.ipBlock && selects(peer.podSelector, labels);
  const egress = policies.filter(
    (p) => p.spec.policyTypes?.includes('Egress') && selects(p.spec.podSelector, from),
  );
  const ingress = policies.filter(
    (p) => p.spec.policyTypes?.includes('Ingress') && selects(p.spec.podSelector, to),
  );
  const out =
    egress.length === 0 ||
    egress.some((p) =>
      (p.spec.egress ?? []).some(
        (r) => portMatches(r, port) && (r.to ?? []).some((peer) => peerIsPod(peer, to)),
      ),
    );
  const into =
    ingress.length === 0 ||
    ingress.some((p) =>
      (p.spec.ingress ?? []).some(
        (r) => portMatches(r, port) && (r.from ?? []).some((peer) => peerIsPod(peer, from)),
      ),
    );
  return out && into;
}

/** Ingress rules of the policies that select a pod, for checks on peers outside the namespace. */
export function ingressRulesFor(policies: NetworkPolicy[], labels: Record<string, string>): PolicyRule[] {
  return policies.filter((p) => selects(p.spec.podSelector, labels)).flatMap((p) => p.spec.ingress ?? []);
}
export function egressRulesFor(policies: NetworkPolicy[], labels: Record<string, string>): PolicyRule[] {
  return policies.filter((p) => selects(p.spec.podSelector, labels)).flatMap((p) => p.spec.egress ?? []);
}
