/** Driver errors as ConnectorErrors that say what to check, never with the password in them. */
import { ConnectorError } from '../contract';
import { serverTimeouts, tlsFailure, type ServerTarget } from '../serverSettings';

function scrub(message: string, datastore: ServerTarget): string {
  const password = datastore.settings.password;
  return password ? message.split(password).join('***') : message;
}

export function connectionError(datastore: ServerTarget, error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const err = error as Error & { code?: string; errno?: number };
  const { host, port, database, user } = datastore.settings;
  const where = `${host ?? ''}:${port ?? 3306}`;
  const what = `datastore '${datastore.name}'`;
  const make = (message: string, code: string): ConnectorError => new ConnectorError(scrub(message, datastore), code);
  const tls = tlsFailure(error, datastore, where);
  if (tls) return make(tls, 'ssl-failed');
  switch (err.code) {
    case 'ER_BAD_DB_ERROR':
      return make(`Database '${database}' does not exist on the ${datastore.type} server at ${where} (${what}; server: ${err.message}). Check connection.database.`, 'source-not-found');
    case 'ER_DBACCESS_DENIED_ERROR':
      // The server answers the same whether the database is missing or only forbidden.
      return make(`Database '${database}' does not exist on ${where}, or user '${user}' has no privileges on it (${what}; server: ${err.message}). Check connection.database and the user's grants.`, 'source-not-found');
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
    case 'ER_NOT_SUPPORTED_AUTH_MODE':
    case 'ER_HOST_NOT_PRIVILEGED':
      return make(`The ${datastore.type} server at ${where} refused user '${user}' (${what}): ${err.message}. Check connection.user, the variable behind connection.password, and the host the user may connect from.`, 'auth-failed');
    case 'ECONNREFUSED':
      return make(`Nothing answers at ${where} (${what}): connection refused. Check connection.host and connection.port, and that the ${datastore.type} server is running.`, 'connection-refused');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return make(`Host '${host}' of ${what} is unknown. Check connection.host.`, 'connection-refused');
    case 'ETIMEDOUT':
      return make(`The ${datastore.type} server at ${where} did not answer within ${serverTimeouts(datastore.settings).connectMs / 1000} s (${what}). Check the address, firewalls, or raise connection.connect_timeout_seconds.`, 'connection-timeout');
    case 'HANDSHAKE_NO_SSL_SUPPORT':
      return make(`The ${datastore.type} server at ${where} does not offer TLS, but connection.ssl asks for it (${what}). Enable TLS on the server or set ssl: { mode: prefer } or false.`, 'ssl-unsupported');
    default:
      if (/certificate|self.signed|SSL|TLS/i.test(err.message)) {
        return make(`TLS with the ${datastore.type} server at ${where} failed (${what}): ${err.message}. Check connection.ssl (mode and ca).`, 'ssl-failed');
      }
      return make(`Could not connect to the ${datastore.type} server at ${where} (${what}): ${err.message}`, 'connection-failed');
  }
}

export function statementError(datastore: ServerTarget, error: unknown, sql: string): unknown {
  const err = error as Error & { errno?: number; code?: string };
  // 1969: MariaDB max_statement_time; 3024: MySQL max_execution_time.
  if (err.errno === 1969 || err.errno === 3024) {
    const seconds = serverTimeouts(datastore.settings).statementMs / 1000;
    return new ConnectorError(`A catalog query of datastore '${datastore.name}' ran longer than the statement timeout (${seconds} s) and was stopped by the server. Raise connection.statement_timeout_seconds if the catalog is that large. Query: ${sql.replace(/\s+/g, ' ').slice(0, 120)}`, 'statement-timeout');
  }
  if (err.code === 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION') {
    return new ConnectorError(`The session of datastore '${datastore.name}' is read-only; the server refused a write: ${err.message}`, 'write-refused');
  }
  if (err.code === 'PROTOCOL_CONNECTION_LOST' || err.code === 'ECONNRESET' || err.code === 'EPIPE') {
    return new ConnectorError(`The connection to datastore '${datastore.name}' was lost (${err.code}). Check that the server is running.`, 'connection-lost');
  }
  return error;
}
