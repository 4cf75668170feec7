// Serves an in-memory PGlite (real PostgreSQL compiled to WebAssembly) on a loopback port, in a
// process of its own so that a slow query blocks this process and not the test runner. Prints
// {"port":N} once listening; exits when its parent closes stdin (the parent died or is done).
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const db = await PGlite.create();
const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
await server.start();
process.stdout.write(`${JSON.stringify({ port: Number(server.getServerConn().split(':').pop()) })}\n`);
process.stdin.resume();
const shutdown = async () => {
  await server.stop();
  await db.close();
  process.exit(0);
};
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
