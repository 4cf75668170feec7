import type { DatastoreTypeEntry } from '../contract';
import { SERVER_SCHEMA, readServerSettings, type ServerSettings } from '../serverSettings';

const openMySql: DatastoreTypeEntry<ServerSettings>['open'] = async (target) => (await import('./mysqlConnector')).openMySqlConnector(target);

/** `type: mysql`: a MySQL server (5.7.8 or later), read through the `mysql2` driver. */
export const mysqlType: DatastoreTypeEntry<ServerSettings> = {
  type: 'mysql',
  storeType: 'jdbc',
  title: 'MySQL',
  schema: SERVER_SCHEMA,
  settings: readServerSettings,
  open: openMySql,
};

/** `type: mariadb`: a MariaDB server (10.1 or later), through the same connector as MySQL. */
export const mariadbType: DatastoreTypeEntry<ServerSettings> = { ...mysqlType, type: 'mariadb', title: 'MariaDB' };
