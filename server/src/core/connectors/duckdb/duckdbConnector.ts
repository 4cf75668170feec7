import * as fs from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { DiscoveredContainer, FieldInfo } from '../../model';
import { qualifiedName } from '../../naming';
import { ConnectorError, type ConnectorTarget, type DiscoveryContext, type DiscoveryRequest, type DiscoveryResult, type SqlConnector } from '../contract';

/** A DuckDB datastore's settings: its database file, and the schemas to sync. */
export interface DuckDbSettings {
  path?: string;
  schemas?: string[];
}

export type DuckDbTarget = ConnectorTarget<DuckDbSettings>;

/**
 * DuckDB: opened with `access_mode: READ_ONLY`. Three bulk catalog calls (`duckdb_tables`,
 * `duckdb_views`, `duckdb_columns`) plus one for primary keys, never per-table
 * `information_schema` (about 3,000× slower measured here).
 */
export async function openDuckDbConnector(datastore: DuckDbTarget): Promise<SqlConnector> {
  const file = datastore.settings.path;
  if (!file || !fs.existsSync(file)) {
    throw new ConnectorError(`The DuckDB database '${file ?? ''}' of datastore '${datastore.name}' does not exist. Check connection.path.`, 'source-not-found');
  }
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  try {
    instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
    connection = await instance.connect();
  } catch (error) {
    throw new ConnectorError(`The DuckDB database '${file}' of datastore '${datastore.name}' could not be opened read-only: ${(error as Error).message}`, 'source-unreadable');
  }
  return {
    discover: (request, context) => discover(connection, datastore, request, context),
    query: async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson(),
    check: async (signal) => {
      signal.throwIfAborted();
      const row = (await connection.runAndReadAll('SELECT version() AS version, (SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND NOT internal) + (SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() AND NOT internal) AS objects')).getRowObjectsJson()[0] as { version: string; objects: string | number };
      return `Opened ${file} read-only (DuckDB ${row.version}; tables and views: ${Number(row.objects)}).`;
    },
    close: async () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

interface ColumnRow {
  schema_name: string;
  table_name: string;
  column_name: string;
  data_type: string;
  is_nullable: boolean;
  column_default: string | null;
  comment: string | null;
}

const SYSTEM_SCHEMAS = new Set(['information_schema', 'pg_catalog']);

async function discover(connection: DuckDBConnection, datastore: DuckDbTarget, request: DiscoveryRequest, context: DiscoveryContext): Promise<DiscoveryResult> {
  const rows = async <T>(sql: string): Promise<T[]> => {
    context.signal.throwIfAborted();
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as unknown as T[];
  };
  const here = 'database_name = current_database() AND NOT internal';
  const tables = await rows<{ schema_name: string; table_name: string; comment: string | null; sql: string | null }>(`SELECT schema_name, table_name, comment, sql FROM duckdb_tables() WHERE ${here} AND NOT temporary`);
  const generatedColumns = new Map(tables.map((t) => [`${t.schema_name}\u0000${t.table_name}`, generatedColumnsOf(t.sql)]));
  const views = await rows<{ schema_name: string; view_name: string; comment: string | null }>(`SELECT schema_name, view_name, comment FROM duckdb_views() WHERE ${here} AND NOT temporary`);
  const columns = await rows<ColumnRow>(`SELECT schema_name, table_name, column_name, data_type, is_nullable, column_default, comment FROM duckdb_columns() WHERE ${here} ORDER BY schema_name, table_name, column_index`);
  const keys = await rows<{ schema_name: string; table_name: string; constraint_column_names: string[] }>(
    `SELECT schema_name, table_name, constraint_column_names FROM duckdb_constraints() WHERE database_name = current_database() AND constraint_type = 'PRIMARY KEY'`,
  );
  const wanted = (schema: string): boolean => (datastore.settings.schemas ? datastore.settings.schemas.includes(schema) : !SYSTEM_SCHEMAS.has(schema));
  const byRelation = new Map<string, ColumnRow[]>();
  for (const column of columns) {
    const key = `${column.schema_name}\u0000${column.table_name}`;
    let list = byRelation.get(key);
    if (!list) byRelation.set(key, (list = []));
    list.push(column);
  }
  const primaryKeys = new Map(keys.map((k) => [`${k.schema_name}\u0000${k.table_name}`, k.constraint_column_names]));
  const containers: DiscoveredContainer[] = [];
  const add = (schema: string, name: string, kind: 'table' | 'view', comment: string | null): void => {
    if (!wanted(schema) || !request.include.includes(kind)) return;
    const key = `${schema}\u0000${name}`;
    const pk = primaryKeys.get(key) ?? [];
    const generated = generatedColumns.get(key);
    const fields = (byRelation.get(key) ?? []).map((c): FieldInfo => {
      const field: FieldInfo = { name: c.column_name, type: c.data_type, nullable: c.is_nullable };
      const position = pk.indexOf(c.column_name);
      if (position >= 0) field.primary_key = position + 1;
      if (generated?.has(c.column_name)) {
        // duckdb_columns() reports the generation expression as the default; it is not one.
        field.generated = true;
      } else if (c.column_default !== null) {
        field.default = c.column_default;
        if (/^nextval\(/i.test(c.column_default)) field.auto_increment = true;
      }
      if (c.comment) field.comment = c.comment;
      return field;
    });
    const container: DiscoveredContainer = { name: qualifiedName(schema, name), kind, schema, fields };
    if (comment) container.comment = comment;
    containers.push(container);
  };
  for (const t of tables) add(t.schema_name, t.table_name, 'table', t.comment);
  for (const v of views) add(v.schema_name, v.view_name, 'view', v.comment);
  context.onProgress?.({ phase: 'described', done: containers.length, total: containers.length });
  return { containers, complete: true, logs: [], scope: datastore.settings.schemas };
}

/**
 * DuckDB's catalog functions do not flag generated columns; its normalised `CREATE TABLE` text
 * does. Splits the column list at top-level commas (respecting quotes and parentheses) and keeps
 * the names of definitions that say `GENERATED ALWAYS AS`.
 */
export function generatedColumnsOf(sql: string | null): Set<string> {
  const names = new Set<string>();
  if (!sql || !/GENERATED\s+ALWAYS\s+AS/i.test(sql)) return names;
  const open = openingParenOfColumns(sql);
  if (open < 0) return names;
  const definitions: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      i = endOfQuoted(sql, i);
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')' && depth > 0) {
      depth--;
    } else if ((ch === ',' && depth === 0) || (ch === ')' && depth === 0)) {
      definitions.push(sql.slice(start, i));
      start = i + 1;
      if (ch === ')') break;
    }
  }
  for (const definition of definitions) {
    const text = definition.trim();
    const name = text.startsWith('"') ? text.slice(1, endOfQuoted(text, 0)).replace(/""/g, '"') : /^\S+/.exec(text)?.[0];
    const rest = text.startsWith('"') ? text.slice(endOfQuoted(text, 0) + 1) : text.slice(name?.length ?? 0);
    if (name && /^\s*\S[\s\S]*?\bGENERATED\s+ALWAYS\s+AS\b/i.test(stripQuoted(rest))) names.add(name);
  }
  return names;
}

/** The `(` after the (possibly quoted, possibly schema-qualified) table name. */
function openingParenOfColumns(sql: string): number {
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === '"' || ch === "'") i = endOfQuoted(sql, i);
    else if (ch === '(') return i;
  }
  return -1;
}

/** Index of the quote closing the quoted text that starts at `start` (a doubled quote escapes). */
function endOfQuoted(text: string, start: number): number {
  const quote = text[start]!;
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] !== quote) continue;
    if (text[i + 1] === quote) i++;
    else return i;
  }
  return text.length;
}

function stripQuoted(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"') {
      i = endOfQuoted(text, i);
      out += ' ';
    } else {
      out += ch;
    }
  }
  return out;
}
