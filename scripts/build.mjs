// Bundles each entry point into one CommonJS file under dist/. Native database drivers stay
// external: they are loaded from node_modules at run time.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
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

// Every connector is a bundle of its own under dist/connectors/ with its driver (pg, mysql2,
// hyparquet, the cloud SDKs: several MB), required on the first sync of such a datastore, so that
// starting the CLI or the language server never parses a driver that no datastore needs.
const lazyConnectors = {
  postgresConnector: 'server/src/core/connectors/postgres/postgresConnector.ts',
  mysqlConnector: 'server/src/core/connectors/mysql/mysqlConnector.ts',
  sqliteConnector: 'server/src/core/connectors/sqlite/sqliteConnector.ts',
  duckdbConnector: 'server/src/core/connectors/duckdb/duckdbConnector.ts',
  dfsConnector: 'server/src/core/connectors/dfs/dfsConnector.ts',
  s3Connector: 'server/src/core/connectors/objectStore/s3/s3Connector.ts',
  azureBlobConnector: 'server/src/core/connectors/objectStore/azure/azureBlobConnector.ts',
  gcsConnector: 'server/src/core/connectors/objectStore/gcs/gcsConnector.ts',
};
const LAZY_IMPORT = new RegExp(`/(${Object.keys(lazyConnectors).join('|')})$`);

/** Leaves `import('./s3Connector')` and the like as a require of the connector's bundle, `where` relative to the importing bundle. */
function lazyConnectorsPlugin(where) {
  return {
    name: 'lazy-connectors',
    setup(plugin) {
      plugin.onResolve({ filter: LAZY_IMPORT }, (args) => {
        const name = LAZY_IMPORT.exec(args.path)[1];
        // A connector's own entry point is bundled as usual.
        if (args.kind === 'entry-point') return undefined;
        return { path: `${where}${name}.js`, external: true };
      });
    },
  };
}

const nodeBuild = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['better-sqlite3', '@duckdb/node-api', 'vscode'],
  define: { CAC_VERSION: JSON.stringify(version) },
  // `import()` of a connector's bundle becomes `require()`: Node's ESM loader would scan each
  // multi-MB CommonJS bundle for its exports first (cjs-module-lexer, ~100 ms of a CLI sync).
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
};

await build({ ...nodeBuild, entryPoints, outdir: 'dist', plugins: [lazyConnectorsPlugin('./connectors/')] });
await build({ ...nodeBuild, entryPoints: lazyConnectors, outdir: 'dist/connectors', plugins: [lazyConnectorsPlugin('./')] });

// The webviews run in VS Code's browser page: one script each, no Node, no remote loads. Their
// stylesheets and the codicon font are copied beside them (the webview may load nothing else).
await build({
  entryPoints: { activity: 'client/webview/activity/main.ts' },
  outdir: 'dist/webview',
  bundle: true,
  platform: 'browser',
  target: 'chrome120',
  format: 'iife',
  sourcemap: true,
  minify: true,
  logLevel: 'warning',
});
mkdirSync('dist/webview', { recursive: true });
for (const [from, to] of [
  ['client/webview/activity/activity.css', 'activity.css'],
  ['node_modules/@vscode/codicons/dist/codicon.css', 'codicon.css'],
  ['node_modules/@vscode/codicons/dist/codicon.ttf', 'codicon.ttf'],
]) copyFileSync(from, `dist/webview/${to}`);
