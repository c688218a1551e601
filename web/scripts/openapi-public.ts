// What of the gateway's /docs/json the web app's client is generated from: the operations and
// their schemas, without the parts that change with every start (servers, service list).

export interface OpenApiDocument {
  openapi?: string;
  paths?: Record<string, unknown>;
  components?: Record<string, unknown>;
  [key: string]: unknown;
}

export function publicContract(doc: OpenApiDocument): OpenApiDocument {
  return {
    openapi: doc.openapi,
    info: { title: 'Minishop API (public operations)', version: 'snapshot' },
    paths: doc.paths ?? {},
    components: doc.components ?? {},
  };
}

export async function fetchPublicContract(gateway: string): Promise<OpenApiDocument> {
  const res = await fetch(new URL('/docs/json', gateway), { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${gateway}/docs/json answered ${res.status}`);
  const doc = (await res.json()) as OpenApiDocument & { 'x-services'?: { missing?: string[] } };
  return publicContract(doc);
}
