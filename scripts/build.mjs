// Bundles each entry point into one CommonJS file under dist/. Native database drivers stay
// external: they are loaded from node_modules at run time.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const entryPoints = {
  cli: 'server/src/cac.ts',
  // The language server (bin/cac-language-server.js) and the worker thread that runs its syncs.
  server: 'server/src/lsp/main.ts',
  lspSyncWorker: 'server/src/lsp/sync/syncWorker.ts',
  // The VS Code extension (package.json "main"); vscode is provided by the editor at run time.
  client: 'client/src/extension.ts',
};

await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['better-sqlite3', '@duckdb/node-api', 'vscode'],
  define: { CAC_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
});
