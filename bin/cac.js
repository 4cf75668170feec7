#!/usr/bin/env node
'use strict';
// `cac --version` needs nothing of the engine: answered before the 1.5 MB bundle is read and
// compiled (what `cac --version` in a CI log or a bug report should cost is Node's own start).
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  // Snapshot writes flush many files at once (fdatasync in libuv's pool); Node's default pool of 4
  // threads makes an 11,000-file first sync ~40% slower here. Must be set before the pool starts.
  process.env.UV_THREADPOOL_SIZE ??= '16';
  require('../dist/cli.js').run();
}
