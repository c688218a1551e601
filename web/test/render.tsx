// Renders one page the way the app does (router, query cache) with the API answered by `answer`,
// a function of method and path, and records every request the page made.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';

export interface Sent {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

type Answer = (
  method: string,
  path: string,
  body: unknown,
  query: URLSearchParams,
) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': type, ...headers } });
}

export function renderPage(page: ReactNode, options: { url: string; pattern?: string; answer: Answer }) {
  const sent: Sent[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const text = await request.text();
      const body = text ? JSON.parse(text) : undefined;
      const { pathname: path, searchParams: query } = new URL(request.url);
      sent.push({ method: request.method, path, query, headers: request.headers, body });
      return options.answer(request.method, path, body, query);
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(
    [
      { path: options.pattern ?? new URL(options.url, 'http://x').pathname, element: page },
      { path: '*', element: <p>elsewhere</p> },
    ],
    { initialEntries: [options.url] },
  );
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { sent, router };
}
