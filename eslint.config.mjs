// Lint rules, including the architecture invariants of README "Architecture", held by
// no-restricted-imports: only client/ (and the extension-host tests) imports vscode; only lsp/ imports the LSP server library;
// the engine (server/src/core) imports no host and never prints or exits; hosts import the engine
// through server/src/core/index.ts only and never each other; the protocol imports nothing of ours.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const VSCODE_ONLY_IN_CLIENT = { name: 'vscode', message: 'Only client/ (the VS Code extension) imports vscode.' };
const LSP_SERVER_LIBRARY = { group: ['vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageserver-textdocument'], message: 'Only server/src/lsp knows LSP; share message types through server/src/protocol.' };
const DEEP_CORE = { group: ['**/core/*', '**/core/**/*'], message: 'Hosts use the engine through server/src/core/index.ts only: import from \'../core\', and export what is missing there.' };
const host = (name) => ({ group: [`**/${name}`, `**/${name}/**`], message: `Hosts do not import each other (${name}/ is a host); the program's entry, server/src/cac.ts, wires them.` });

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'examples/**', 'bench/.work/**', '**/*.mjs', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        // One TypeScript project per layer; a file is checked by the first that includes it.
        project: ['server/src/protocol/tsconfig.json', 'server/src/core/tsconfig.json', 'server/src/tsconfig.json', 'client/tsconfig.json', 'client/webview/tsconfig.json', 'test/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-restricted-imports': ['error', { paths: [VSCODE_ONLY_IN_CLIENT] }],
    },
  },
  {
    files: ['server/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [VSCODE_ONLY_IN_CLIENT],
        patterns: [
          { group: ['vscode-languageserver*', 'vscode-languageclient*', 'vscode-jsonrpc*'], message: 'Only server/src/lsp knows LSP.' },
          { group: ['**/cli/**', '**/lsp/**', '**/api/**', '**/client/**', '**/protocol/**', '**/cac'], message: 'core must not import its hosts (nor their protocol).' },
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
    files: ['server/src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [VSCODE_ONLY_IN_CLIENT],
        patterns: [LSP_SERVER_LIBRARY, { group: ['**/core', '**/core/**', '**/cli/**', '**/lsp/**', '**/api/**', '**/client/**'], message: 'The protocol has payload types of its own: a client depends on it alone.' }],
      }],
    },
  },
  { files: ['server/src/cli/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: [VSCODE_ONLY_IN_CLIENT], patterns: [LSP_SERVER_LIBRARY, DEEP_CORE, host('api'), host('lsp')] }] } },
  { files: ['server/src/api/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: [VSCODE_ONLY_IN_CLIENT], patterns: [LSP_SERVER_LIBRARY, DEEP_CORE, host('cli'), host('lsp')] }] } },
  { files: ['server/src/lsp/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: [VSCODE_ONLY_IN_CLIENT], patterns: [DEEP_CORE, host('cli'), host('api')] }] } },
  {
    // The extension-host suite and its runner run inside VS Code: they drive the real vscode API.
    files: ['test/vscode/suite/**/*.ts', 'test/vscode/runner/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The extension talks to the language server only: protocol types, never the engine or a host.
    files: ['client/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [LSP_SERVER_LIBRARY, { group: ['**/server/src/core', '**/server/src/core/**', '**/server/src/cli/**', '**/server/src/api/**', '**/server/src/lsp/**'], message: 'The extension\'s only door is server/src/protocol.' }],
      }],
    },
  },
  {
    // Webview code runs in the webview's browser page: no vscode API, no Node; it talks to its host
    // through the messages of client/src/activity/activityMessages.ts.
    files: ['client/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'A webview has no vscode API: post a message to its host.' }],
        patterns: [
          LSP_SERVER_LIBRARY,
          { group: ['node:*'], message: 'A webview runs in a browser page, without Node.' },
          { group: ['**/server/src/core', '**/server/src/core/**', '**/server/src/cli/**', '**/server/src/api/**', '**/server/src/lsp/**'], message: 'The extension\'s only door is server/src/protocol.' },
          { regex: '^(\\.\\./)+src/(?!activity/activityMessages$)', message: 'Webviews share only their message types with the extension (and the protocol\'s payloads).' },
        ],
      }],
    },
  },
);
