// Lint rules for the whole workspace: typescript-eslint's recommended set plus a few
// rules that keep services honest (no floating promises would need type info; kept fast).
import { builtinRules } from 'eslint/use-at-your-own-risk';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const maxLinesPerFunction = builtinRules.get('max-lines-per-function');
const isSuiteBody = (node) =>
  node.parent?.type === 'CallExpression' &&
  node.parent.arguments.includes(node) &&
  /^describe(\.(each|skip|only|concurrent|sequential)\b.*)?$/.test(calleeName(node.parent.callee));

/** `describe.each(...)` and `describe.skip` name the suite function through a member or a call. */
function calleeName(callee) {
  if (callee.type === 'Identifier') return callee.name;
  if (callee.type === 'MemberExpression') return `${calleeName(callee.object)}.${callee.property.name}`;
  if (callee.type === 'CallExpression') return calleeName(callee.callee);
  return '';
}

/**
 * ESLint's max-lines-per-function, except for the body of a describe(): a suite is a list of
 * cases, each of them (and every helper) a function held to the limit on its own.
 */
const functionLength = {
  meta: maxLinesPerFunction.meta,
  create(context) {
    const listeners = maxLinesPerFunction.create(context);
    return Object.fromEntries(
      Object.entries(listeners).map(([selector, listener]) => [
        selector,
        (node) => (isSuiteBody(node) ? undefined : listener(node)),
      ]),
    );
  },
};

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
    plugins: { minishop: { rules: { 'max-lines-per-function': functionLength } } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // A function a reader can hold in mind: past 100 lines (blank lines and comments not
      // counted), split it into steps with names.
      'minishop/max-lines-per-function': ['error', { max: 100, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // A module does one job: past 400 lines of code (blank lines and comments not counted, so
    // explaining a module never pushes it over), split it by job. Tests and their fixtures are
    // exempt: a suite reads as a list of cases, not as a design to hold in mind.
    files: ['**/*.{ts,tsx,js,mjs}'],
    ignores: ['**/test/**', 'test/**', '**/*.test.{ts,tsx}', '**/fixtures/**'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }] },
  },
);
