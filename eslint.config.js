import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // scripts run by node directly
    files: ['**/*.mjs', 'bin/*'],
    languageOptions: { globals: globals.node },
  },
  {
    // CommonJS entries (the parse worker's: tsx's require hook)
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // src/core stays pure: no IO, no terminal, no database
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: ['node:*', 'fs', 'path', 'crypto', 'ws', 'pg', '@electric-sql/*', 'ink', 'react', 'yjs', 'y-*'],
      }],
    },
  },
);
