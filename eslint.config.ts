/**
 * ESLint, type-aware: typescript-eslint's strictTypeChecked and stylisticTypeChecked over every
 * TypeScript file tsconfig.json covers (the project service reads that tsconfig). `npm test` runs
 * it right after tsc. Each rule turned off or tuned below says why on its line.
 * No --cache in `npm run lint`: a cached file is not linted again when a type it uses changes in
 * another file, so type-aware findings could go stale. A full run costs about one CPU-minute here.
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['.wxt/', '.output/', 'node_modules/', 'test-results/', 'playwright-report/', 'artifacts/', '.cache/'] },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.strictTypeChecked, tseslint.configs.stylisticTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Numbers in messages, CSS lengths and log lines are what templates are for here.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `onClick={() => setOpen(false)}` and `.on('close', () => resolve())` are the idiom for callbacks.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Implementations of a Promise-returning interface stay `async` so a throw becomes a rejection.
      '@typescript-eslint/require-await': 'off',
      // No-op callbacks and null objects (a session that sends nothing, a logger that drops) are deliberate.
      '@typescript-eslint/no-empty-function': 'off',
      // Prefers `x!` to `x as T`; it contradicts no-non-null-assertion, which we keep (typescript-eslint's own advice).
      '@typescript-eslint/non-nullable-type-assertion-style': 'off',
      // `a || b` on strings means "'' counts as absent" in these call sites (a blank env value, an empty error).
      '@typescript-eslint/prefer-nullish-coalescing': ['error', { ignorePrimitives: { string: true } }],
      // A leading underscore marks a binding dropped on purpose (a rest sibling left out, a tuple slot skipped).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // The test and benchmark harness (testkit/ is what tests/ and bench/ share).
    files: ['tests/**/*.{ts,tsx}', 'testkit/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // noUncheckedIndexedAccess types every indexed read as maybe-undefined; a harness that just built the array may say `!`.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['tests/**/*.{ts,tsx}'],
    rules: {
      // Vitest's asymmetric matchers (expect.any, expect.objectContaining) are typed `any` by Vitest itself.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // `expect(stub.method).toHaveBeenCalled()` reads a vi.fn(), which has no `this` to lose.
      '@typescript-eslint/unbound-method': 'off',
      // preact's act() runs a synchronous callback and its effects before it returns; its Promise adds nothing.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', name: 'act', package: 'preact' }] }],
    },
  },
  {
    files: ['tests/e2e/**/*.ts', 'tests/e2e-firefox/**/*.ts'],
    rules: {
      // Playwright reads a fixture's dependencies from its first parameter, which must be an object pattern: `async ({}, use) =>`.
      'no-empty-pattern': 'off',
    },
  },
);
