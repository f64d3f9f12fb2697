import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'reports/**', '.cache/**', '.stryker-tmp/**', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
      '@typescript-eslint/no-empty-object-type': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The emulator never imports Cucumber; steps never import the emulator (only the Target contract).
    files: ['emulator/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@cucumber/*', '**/steps/**'] }] },
  },
  {
    files: ['steps/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/emulator/**', '**/targets/emulator/**'] }] },
  },
);
