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
  headers: Headers;
  body: unknown;
}

type Answer = (method: string, path: string, body: unknown) => Response | Promise<Response>;

export function json(status: number, body: unknown): Response {
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
}

export function renderPage(page: ReactNode, options: { url: string; pattern?: string; answer: Answer }) {
  const sent: Sent[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const text = await request.text();
      const body = text ? JSON.parse(text) : undefined;
      const path = new URL(request.url).pathname;
      sent.push({ method: request.method, path, headers: request.headers, body });
      return options.answer(request.method, path, body);
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
