// Lint: the recommended JavaScript and TypeScript rules, on sources, tests and scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'tracker/', 'logs/', 'reports/', '.stryker-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Two builds of the SQLite driver are installed; src/adapters/tracker/sqlite.ts picks the one
      // for the running Node.js. Loading either directly would bypass that choice (types are fine).
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'better-sqlite3', allowTypeImports: true, message: 'open SQLite through src/adapters/tracker/sqlite.ts' },
            { name: 'better-sqlite3-napi', allowTypeImports: true, message: 'open SQLite through src/adapters/tracker/sqlite.ts' },
          ],
        },
      ],
    },
  },
);
