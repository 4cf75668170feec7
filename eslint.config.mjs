// Lint rules, including the architecture invariants of README "Architecture": the engine
// (server/src/core) never imports a host (vscode, LSP, the CLI) and never prints or exits.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'examples/**', 'bench/.work/**', '**/*.mjs', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['server/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'core must not know its hosts.' }],
        patterns: [
          { group: ['vscode-languageserver*', 'vscode-languageclient*', 'vscode-jsonrpc*'], message: 'Only server/src/lsp knows LSP.' },
          { group: ['**/cli/**', '**/lsp/**', '**/api/**', '**/client/**'], message: 'core must not import its hosts.' },
        ],
      }],
      'no-console': 'error',
      'no-restricted-properties': ['error',
        { object: 'process', property: 'exit', message: 'Return a result; the host decides how to exit.' },
        { object: 'process', property: 'env', message: 'Hosts pass the environment in explicitly.' },
        { object: 'process', property: 'stdout', message: 'core does not print.' },
        { object: 'process', property: 'stderr', message: 'core does not print.' },
      ],
    },
  },
  {
    // Only the language server knows LSP: nothing else (CLI, API, the shared protocol module, the
    // extension) imports the server library. core has its own, stricter rule above.
    files: ['server/src/**/*.ts', 'client/src/**/*.ts'],
    ignores: ['server/src/lsp/**', 'server/src/core/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageserver-textdocument'], message: 'Only server/src/lsp knows LSP; share message types through server/src/protocol.' },
        ],
      }],
    },
  },
);
