// Starts the app: the query cache, the session (signed back in through the refresh cookie when
// there is one) and the router over the page list in routes.ts.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { isRetryable, isStatus } from './api/problem.ts';
import { onSessionChange, currentSession, resumeSession } from './auth/session.ts';
import { router } from './app.tsx';
import './styles/base.css';
import './styles/controls.css';
import './styles/shop.css';
import './styles/orders.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      retry: (count, error) => count < 2 && isRetryable(error),
      refetchOnWindowFocus: false,
    },
  },
});

let signedIn = false;
onSessionChange(() => {
  const now = currentSession().status === 'signed-in';
  // Whatever the last account could read must not show for the next one.
  if (signedIn && !now) queryClient.clear();
  signedIn = now;
});
queryClient.getQueryCache().subscribe((event) => {
  if (event.type === 'updated' && isStatus(event.query.state.error, 401)) void resumeSession();
});

void resumeSession();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
