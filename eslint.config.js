// ESLint (flat config): the recommended rules of ESLint and typescript-eslint; formatting is Prettier's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.data/', 'test-output/', 'coverage/'] },
  js.configs.recommended,
  { languageOptions: { globals: globals.node } },
  ...tseslint.configs.recommended,
  {
    rules: {
      // decorated classes need value imports for their metadata; type-only imports are the author's call
      '@typescript-eslint/consistent-type-imports': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // `namespace GraphileWorker` is how graphile-worker types task payloads
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  // the dashboard and the playground run in the browser, as plain ES modules and scripts
  {
    files: ['src/dashboard/public/**/*.js', 'src/playground/*.js'],
    languageOptions: { globals: globals.browser },
  },
  { files: ['test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
