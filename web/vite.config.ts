// Builds the app into dist/ (hashed assets with .br/.gz siblings, index.html and routes.json)
// and runs the dev server, which proxies the API to a running stack (MINISHOP_API, default
// http://localhost:8080) so that pages and API share one origin as they do behind the gateway.
import react from '@vitejs/plugin-react';
import { compression } from 'vite-plugin-compression2';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { API_PREFIXES } from '../services/gateway/src/page-routes.ts';
import { PAGES } from './src/routes.ts';

const api = process.env.MINISHOP_API ?? 'http://localhost:8080';

function routesManifest(): Plugin {
  return {
    name: 'minishop-routes-manifest',
    apply: 'build',
    generateBundle() {
      const patterns = [...new Set(Object.values(PAGES))];
      this.emitFile({
        type: 'asset',
        fileName: 'routes.json',
        source: `${JSON.stringify(patterns, null, 2)}\n`,
      });
    },
  };
}

// Vite serves the app's own files in development; everything else under an API prefix is the stack's.
const apiPath = `^(${API_PREFIXES.filter((p) => p !== '/assets').join('|')})(/|\\?|$)`;

export default defineConfig({
  plugins: [react(), routesManifest(), compression({ include: /^assets\/.*\.(js|css|svg)$/ })],
  build: { target: 'es2022', sourcemap: false, assetsInlineLimit: 0 },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      // Host and Origin stay the dev server's, so the session cookie's same-origin check sees one
      // origin, as it does behind the gateway.
      [apiPath]: { target: api },
    },
  },
  test: {
    name: 'web',
    environment: 'jsdom',
    include: ['test/**/*.test.{ts,tsx}'],
    setupFiles: ['test/setup.ts'],
    // Rendering and typing through user-event takes well under a second alone, but several
    // seconds when the shop's suites load both cores in the same run.
    testTimeout: 30_000,
  },
});
