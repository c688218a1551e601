// Stripe's request encoding: application/x-www-form-urlencoded with bracketed keys for nested
// values (`metadata[order_id]=42`, `expand[0]=latest_charge`), decoded into plain objects.
import type { FastifyInstance } from 'fastify';

type FormValue = string | FormObject;
interface FormObject {
  [key: string]: FormValue;
}

const NESTED_KEY = /^([^[\]]+)((?:\[[^[\]]*\])+)$/;

export function parseForm(body: string): FormObject {
  // Null-prototype objects: a key such as `__proto__[x]` stays plain data.
  const root: FormObject = Object.create(null);
  for (const [key, value] of new URLSearchParams(body)) {
    const match = NESTED_KEY.exec(key);
    const path = match?.[1] && match[2] ? [match[1], ...match[2].slice(1, -1).split('][')] : [key];
    let node = root;
    for (const segment of path.slice(0, -1)) {
      const child = node[segment];
      if (typeof child === 'object') node = child;
      else node = node[segment] = Object.create(null) as FormObject;
    }
    node[path[path.length - 1] as string] = value;
  }
  return root;
}

export function registerFormBodyParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseForm(body as string));
  });
}

/** A stable text form of decoded parameters: equal parameters give equal text, whatever their order. */
export function canonicalParams(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalParams).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalParams((value as Record<string, unknown>)[k])}`).join(',')}}`;
}
