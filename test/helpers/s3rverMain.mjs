// Runs s3rver for the tests in a process of its own, started with --openssl-legacy-provider:
// s3rver encrypts its continuation tokens with DES, which OpenSSL 3 refuses otherwise, so every
// listing of more than one page (1,000 keys) would fail with InternalError.
import S3rver from 's3rver';

const [directory] = process.argv.slice(2);
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: process.env.S3RVER_LOUD !== '1', directory });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
// The parent's end of stdin closes when it exits or stops us: never outlive it.
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
