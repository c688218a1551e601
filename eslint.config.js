// Lint rules for the whole workspace: typescript-eslint's recommended set plus a few
// rules that keep services honest (no floating promises would need type info; kept fast).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.minishop/**', 'coverage/**', 'bench/report.*', 'web/vendor/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
);
