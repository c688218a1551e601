// Component tests render into jsdom; each test starts from an empty document and no stubs.
import { cleanup, configure } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

// Shared machines run these beside heavy suites: wait for what a page shows as long as a user might.
configure({ asyncUtilTimeout: 5_000 });

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
});
