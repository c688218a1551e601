// Lint rules for the whole workspace: typescript-eslint's recommended set plus a few
// rules that keep services honest (no floating promises would need type info; kept fast).
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '.minishop/**',
      'coverage/**',
      'bench/report.*',
      'web/vendor/**',
      'web/dist/**',
      'web/src/api/schema.d.ts',
    ],
  },
  ...tseslint.configs.recommended,
  { files: ['web/**/*.{ts,tsx}'], ...reactHooks.configs.flat['recommended-latest'] },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
);
