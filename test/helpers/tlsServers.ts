import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import mysql from 'mysql2/promise';

/**
 * Private PostgreSQL and MariaDB servers with TLS on, for the TLS tests: the shared servers of
 * the machine's shared servers run without TLS. Each gets its own data folder and loopback port, and a
 * certificate for `localhost` only (so 127.0.0.1 fails a host-name check) signed by a throwaway
 * CA. Started from the machine's own binaries, as the services' OS users when run as root.
 */
export interface TlsServer {
  port: number;
  /** The CA that signed the server's certificate. */
  caFile: string;
  user: string;
  password?: string;
  database: string;
  /** A user the server refuses without TLS. */
  tlsOnlyUser: string;
  stop(): Promise<void>;
}

export type Unavailable = { unavailable: string };

const PG_BIN = process.env.CAC_TEST_PG_BIN ?? findPostgresBin();

function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  try {
    const versions = fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    return versions.map((v) => path.join(root, v, 'bin')).find((bin) => fs.existsSync(path.join(bin, 'initdb')));
  } catch {
    return undefined;
  }
}

const isRoot = process.getuid?.() === 0;

/** argv that runs `command` as `user` when we are root (the servers refuse to run as root). */
function asUser(user: string, command: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
}

function makeCertificates(dir: string, owner: string): { ca: string; cert: string; key: string } {
  const file = (name: string): string => path.join(dir, name);
  const openssl = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=cac test CA', '-keyout', file('ca.key'), '-out', file('ca.crt')]);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', file('server.key'), '-out', file('server.csr')]);
  fs.writeFileSync(file('ext.cnf'), 'subjectAltName=DNS:localhost\n');
  openssl(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('ext.cnf'), '-out', file('server.crt')]);
  fs.chmodSync(file('server.key'), 0o600);
  if (isRoot) execFileSync('chown', ['-R', owner, dir]);
  return { ca: file('ca.crt'), cert: file('server.crt'), key: file('server.key') };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function missing(what: string): Unavailable {
  return { unavailable: `${what}; the TLS tests start private servers from the machine's PostgreSQL and MariaDB binaries` };
}

function haveCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

export async function startTlsPostgres(): Promise<TlsServer | Unavailable> {
  if (!PG_BIN) return missing('no PostgreSQL server binaries (initdb) under /usr/lib/postgresql');
  if (!haveCommand('openssl')) return missing('no openssl command');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-tls-pg-'));
  if (isRoot) execFileSync('chown', ['postgres', dir]);
  const certs = makeCertificates(dir, 'postgres');
  const data = path.join(dir, 'data');
  const port = await freePort();
  const run = (command: string, args: string[]): void => {
    const [file, argv] = asUser('postgres', path.join(PG_BIN!, command), args);
    execFileSync(file, argv, { stdio: 'pipe', cwd: dir });
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  // The TLS-only role is refused on a plain connection, before any trust rule.
  const hba = path.join(data, 'pg_hba.conf');
  fs.writeFileSync(hba, `hostnossl all cac_tls_only all reject\n${fs.readFileSync(hba, 'utf8')}`);
  const options = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c ssl=on', `-c ssl_cert_file=${certs.cert}`, `-c ssl_key_file=${certs.key}`, '-c fsync=off'].join(' ');
  run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-o', options, '-w', '-t', '30', 'start']);
  const stop = async (): Promise<void> => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const admin = `host=${dir} port=${port} user=postgres dbname=postgres`;
    execFileSync('psql', [admin, '-v', 'ON_ERROR_STOP=1', '-qc', 'CREATE ROLE cac_tls_only LOGIN; CREATE TABLE public.orders (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL); GRANT SELECT ON public.orders TO cac_tls_only;'], { stdio: 'pipe' });
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, caFile: certs.ca, user: 'postgres', database: 'postgres', tlsOnlyUser: 'cac_tls_only', stop };
}

export async function startTlsMariadb(): Promise<TlsServer | Unavailable> {
  if (!haveCommand('mariadbd') && !fs.existsSync('/usr/sbin/mariadbd')) return missing('no mariadbd');
  if (!haveCommand('mariadb-install-db')) return missing('no mariadb-install-db');
  if (!haveCommand('openssl')) return missing('no openssl command');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-tls-my-'));
  if (isRoot) execFileSync('chown', ['mysql', dir]);
  const certs = makeCertificates(dir, 'mysql');
  const data = path.join(dir, 'data');
  const socket = path.join(dir, 'server.sock');
  const port = await freePort();
  execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, ...(isRoot ? ['--user=mysql'] : []), '--auth-root-authentication-method=normal', '--skip-test-db'], { stdio: 'pipe' });
  const daemon = fs.existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : 'mariadbd';
  const server: ChildProcess = spawn(daemon, ['--no-defaults', `--datadir=${data}`, `--socket=${socket}`, `--port=${port}`, '--bind-address=127.0.0.1',
    `--pid-file=${path.join(dir, 'server.pid')}`, `--log-error=${path.join(dir, 'server.log')}`, '--skip-log-bin', '--innodb-buffer-pool-size=16M',
    `--ssl-ca=${certs.ca}`, `--ssl-cert=${certs.cert}`, `--ssl-key=${certs.key}`, ...(isRoot ? ['--user=mysql'] : [])], { stdio: 'ignore' });
  const stop = async (): Promise<void> => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const admin = await connectWhenReady(socket, server);
    try {
      await admin.query(`CREATE USER 'cac_tls'@'%' IDENTIFIED BY 'tls-pass'; GRANT SELECT, SHOW VIEW, PROCESS ON *.* TO 'cac_tls'@'%';
        CREATE USER 'cac_tls_only'@'%' IDENTIFIED BY 'tls-pass' REQUIRE SSL; GRANT SELECT, SHOW VIEW ON *.* TO 'cac_tls_only'@'%';
        CREATE DATABASE shop; CREATE TABLE shop.orders (id bigint PRIMARY KEY, updated_at datetime NOT NULL)`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, caFile: certs.ca, user: 'cac_tls', password: 'tls-pass', database: 'shop', tlsOnlyUser: 'cac_tls_only', stop };
}

async function connectWhenReady(socket: string, server: ChildProcess): Promise<mysql.Connection> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await mysql.createConnection({ socketPath: socket, user: 'root', multipleStatements: true });
    } catch (error) {
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`the private MariaDB did not start: ${(error as Error).message}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
