import { ConnectorError } from '../contract';
import { serverTimeouts, tlsFailure, type ServerTarget } from '../serverSettings';

/** What `pg` says when it asked for TLS and the server has none. */
export const NO_TLS_ON_SERVER = /does not support SSL/i;

/** A failed connection as a sentence that says what to change, with a stable code. */
export function connectionError(datastore: ServerTarget, error: unknown): ConnectorError {
  const err = error as Error & { code?: string };
  const { host, port, database, user } = datastore.settings;
  const where = `${host ?? ''}:${port ?? 5432}`;
  const what = `datastore '${datastore.name}'`;
  const tls = tlsFailure(error, datastore, where);
  if (tls) return new ConnectorError(tls, 'ssl-failed');
  if (NO_TLS_ON_SERVER.test(err.message)) {
    return new ConnectorError(`The PostgreSQL server at ${where} does not offer TLS, but connection.ssl asks for it (${what}). Enable ssl on the server, or set ssl: { mode: prefer } or false.`, 'ssl-unsupported');
  }
  switch (err.code) {
    case '3D000':
      return new ConnectorError(`Database '${database}' does not exist on the PostgreSQL server at ${where} (${what}). Check connection.database.`, 'source-not-found');
    case '28P01':
    case '28000':
      return new ConnectorError(`PostgreSQL at ${where} refused user '${user}' (${what}): ${err.message}. Check connection.user and the variable behind connection.password.`, 'auth-failed');
    case 'ECONNREFUSED':
      return new ConnectorError(`Nothing answers at ${where} (${what}): connection refused. Check connection.host and connection.port, and that PostgreSQL is running.`, 'connection-refused');
    case 'ENOTFOUND':
      return new ConnectorError(`Host '${host}' of ${what} is unknown. Check connection.host.`, 'connection-refused');
    default:
      if (/timeout/i.test(err.message)) {
        return new ConnectorError(`PostgreSQL at ${where} did not answer within ${serverTimeouts(datastore.settings).connectMs / 1000} s (${what}). Check the address, firewalls, or raise connection.connect_timeout_seconds.`, 'connection-timeout');
      }
      return new ConnectorError(`Could not connect to PostgreSQL at ${where} (${what}): ${err.message}`, 'connection-failed');
  }
}
