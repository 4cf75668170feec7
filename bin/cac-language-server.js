#!/usr/bin/env node
'use strict';
// Syncs started from the editor flush many snapshot files at once (fdatasync in libuv's pool),
// as `cac sync` does; the pool size must be set before it starts.
process.env.UV_THREADPOOL_SIZE ??= '16';
require('../dist/server.js').run();
