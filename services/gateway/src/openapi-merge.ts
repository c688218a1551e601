// Merges the OpenAPI documents of several services into one: paths are kept as they are
// (each service owns its public prefix) and component names get the service's name as a
// prefix, with every $ref rewritten to match, so two services may both have a `Product`.
// Operations marked internal, and the components only they use, are left out.
import { isInternalOperation } from '@minishop/kit/internal-route';

export interface OpenApiDocument {
  openapi?: string;
  info?: Record<string, unknown>;
  paths?: Record<string, unknown>;
  components?: Record<string, Record<string, unknown> | undefined>;
  tags?: { name: string; description?: string }[];
  [extension: string]: unknown;
}

export interface ServiceDocument {
  service: string;
  document: OpenApiDocument;
}

// Security schemes are referenced by name from `security`, not by $ref; services share them.
const SHARED_COMPONENTS = new Set(['securitySchemes']);

function renameRefs(value: unknown, rename: (ref: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => renameRefs(item, rename));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof child === 'string' ? rename(child) : renameRefs(child, rename);
  }
  return out;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** The path item without its internal operations, or null when none is left. */
function publicOperations(item: unknown): Record<string, unknown> | null {
  if (typeof item !== 'object' || item === null) return null;
  const kept = Object.entries(item as Record<string, unknown>).filter(
    ([key, operation]) => !(METHODS.has(key) && isInternalOperation(operation)),
  );
  return kept.some(([key]) => METHODS.has(key)) ? Object.fromEntries(kept) : null;
}

/** Keeps the components that the paths reach, directly or through other components. */
function reachableComponents(
  paths: Record<string, unknown>,
  components: Record<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  const seen = new Set<string>();
  const pending: unknown[] = [paths];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) pending.push(...value);
    else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key !== '$ref' || typeof child !== 'string') {
          pending.push(child);
          continue;
        }
        const match = /^#\/components\/([^/]+)\/(.+)$/.exec(child);
        if (!match || seen.has(child)) continue;
        seen.add(child);
        pending.push(components[match[1]!]?.[match[2]!]);
      }
    }
  }
  const kept: Record<string, Record<string, unknown>> = {};
  for (const [kind, entries] of Object.entries(components)) {
    kept[kind] = SHARED_COMPONENTS.has(kind)
      ? entries
      : Object.fromEntries(
          Object.entries(entries).filter(([name]) => seen.has(`#/components/${kind}/${name}`)),
        );
  }
  return kept;
}

export function mergeOpenApi(
  base: { title: string; version: string; description: string },
  services: ServiceDocument[],
  missing: string[],
): OpenApiDocument {
  const paths: Record<string, unknown> = {};
  const components: Record<string, Record<string, unknown>> = {};
  const tags = new Map<string, { name: string; description?: string }>();
  for (const { service, document } of services) {
    const rename = (ref: string) => {
      const match = /^#\/components\/([^/]+)\/(.+)$/.exec(ref);
      if (!match || SHARED_COMPONENTS.has(match[1] as string)) return ref;
      return `#/components/${match[1]}/${service}.${match[2]}`;
    };
    const doc = renameRefs(document, rename) as OpenApiDocument;
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      const visible = publicOperations(item);
      if (visible) paths[path] ??= visible;
    }
    for (const [kind, entries] of Object.entries(doc.components ?? {})) {
      const target = (components[kind] ??= {});
      for (const [name, component] of Object.entries(entries ?? {})) {
        if (SHARED_COMPONENTS.has(kind)) target[name] ??= component;
        else target[`${service}.${name}`] = component;
      }
    }
    for (const tag of doc.tags ?? []) if (!tags.has(tag.name)) tags.set(tag.name, tag);
  }
  components.securitySchemes ??= {};
  components.securitySchemes.bearer ??= { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' };
  const unavailable = missing.length > 0 ? `\n\nNot reachable right now: ${missing.join(', ')}.` : '';
  return {
    openapi: '3.1.0',
    info: { title: base.title, version: base.version, description: base.description + unavailable },
    servers: [{ url: '/' }],
    paths,
    components: reachableComponents(paths, components),
    tags: [...tags.values()],
    'x-services': services.map((s) => s.service),
  };
}
