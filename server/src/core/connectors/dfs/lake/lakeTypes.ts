/**
 * The columns of a lake table's schema, as fields spelled the way the Parquet inference spells
 * the same logical types (inference/parquet.ts, DuckDB's spelling): a Delta or Iceberg table
 * and a loose Parquet file of the same data then show the same types, and a folder that becomes
 * a table changes no type in its snapshot.
 */
import type { FieldInfo } from '../../../model';
import { quoteStructKey } from '../inference/json';
import { TableUnreadable } from './tableErrors';

type Json = unknown;

// ---- Delta: Spark's JSON struct (PROTOCOL.md, "Schema Serialization Format") ----

const DELTA_PRIMITIVES: Readonly<Record<string, string>> = {
  string: 'VARCHAR', long: 'BIGINT', integer: 'INTEGER', short: 'SMALLINT', byte: 'TINYINT',
  float: 'FLOAT', double: 'DOUBLE', boolean: 'BOOLEAN', binary: 'BLOB', date: 'DATE',
  // Delta's `timestamp` is stored with isAdjustedToUTC = true, which parquet.ts reads as WITH TIME ZONE.
  timestamp: 'TIMESTAMP WITH TIME ZONE', timestamp_ntz: 'TIMESTAMP',
  variant: 'VARIANT', void: 'NULL',
};

/**
 * The top-level fields of a Delta `schemaString`. Names are the logical ones: with column mapping
 * (`delta.columnMapping.mode` name or id) the physical name is only in the field's metadata,
 * which names nothing a reader queries. Identity and generated columns are marked as such.
 */
export function deltaFields(schemaString: string, file: string): FieldInfo[] {
  let schema: Json;
  try {
    schema = JSON.parse(schemaString);
  } catch {
    throw new TableUnreadable(file, 'its metaData action has a schemaString that is not JSON');
  }
  const fields = structFields(schema);
  if (!fields) throw new TableUnreadable(file, 'its metaData action has a schemaString that is not a struct of fields');
  return fields.map((field, i) => {
    const name = field.name;
    if (typeof name !== 'string') throw new TableUnreadable(file, `column ${i + 1} of its schema has no name`);
    const info: FieldInfo = { name, type: deltaType(field.type, file, name), nullable: field.nullable !== false };
    const metadata = isObject(field.metadata) ? field.metadata : {};
    if (typeof metadata.comment === 'string') info.comment = metadata.comment;
    if (typeof metadata['delta.generationExpression'] === 'string') info.generated = true;
    if (metadata['delta.identity.start'] !== undefined) info.auto_increment = true;
    return info;
  });
}

function deltaType(type: Json, file: string, column: string): string {
  if (typeof type === 'string') {
    const decimal = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(type);
    if (decimal) return decimalType(Number(decimal[1]), Number(decimal[2]));
    if (type === 'decimal') return 'DECIMAL(10,0)'; // Spark's DecimalType default, written bare by old writers
    // A type this reader does not know (a later protocol's) is shown as the log names it.
    return DELTA_PRIMITIVES[type] ?? type.toUpperCase();
  }
  if (!isObject(type)) throw new TableUnreadable(file, `column '${column}' has a type that is neither a name nor a struct, array or map`);
  switch (type.type) {
    case 'struct': {
      const fields = structFields(type);
      if (!fields) throw new TableUnreadable(file, `column '${column}' is a struct without fields`);
      return structType(fields.map((f) => [String(f.name), deltaType(f.type, file, column)]));
    }
    case 'array': return `${deltaType(type.elementType, file, column)}[]`;
    case 'map': return `MAP(${deltaType(type.keyType, file, column)}, ${deltaType(type.valueType, file, column)})`;
    default: throw new TableUnreadable(file, `column '${column}' has a type of kind '${String(type.type)}', which is not struct, array or map`);
  }
}

function structFields(schema: Json): Record<string, Json>[] | undefined {
  if (!isObject(schema) || schema.type !== 'struct' || !Array.isArray(schema.fields) || !schema.fields.every(isObject)) return undefined;
  return schema.fields as Record<string, Json>[];
}

// ---- Iceberg: the table spec's JSON types (format/spec.md, Appendix C) ----

const ICEBERG_PRIMITIVES: Readonly<Record<string, string>> = {
  boolean: 'BOOLEAN', int: 'INTEGER', long: 'BIGINT', float: 'FLOAT', double: 'DOUBLE', date: 'DATE',
  time: 'TIME', timestamp: 'TIMESTAMP', timestamptz: 'TIMESTAMP WITH TIME ZONE',
  // parquet.ts: nanosecond timestamps are TIMESTAMP_NS without a zone, WITH TIME ZONE with one.
  timestamp_ns: 'TIMESTAMP_NS', timestamptz_ns: 'TIMESTAMP WITH TIME ZONE',
  string: 'VARCHAR', uuid: 'UUID', binary: 'BLOB', variant: 'VARIANT', unknown: 'NULL',
};

/** An Iceberg schema's top-level fields; `required` is what makes a field NOT NULL. */
export function icebergFields(schema: Record<string, Json>, file: string): FieldInfo[] {
  const fields = icebergStructFields(schema);
  if (!fields) throw new TableUnreadable(file, 'its current schema is not a struct of fields');
  return fields.map((field) => {
    const info: FieldInfo = { name: field.name, type: icebergType(field.type, file, field.name), nullable: !field.required };
    if (typeof field.doc === 'string') info.comment = field.doc;
    return info;
  });
}

interface IcebergField {
  id: number;
  name: string;
  required: boolean;
  type: Json;
  doc?: unknown;
}

export function icebergStructFields(struct: Json): IcebergField[] | undefined {
  if (!isObject(struct) || struct.type !== 'struct' || !Array.isArray(struct.fields)) return undefined;
  const fields: IcebergField[] = [];
  for (const field of struct.fields) {
    if (!isObject(field) || typeof field.name !== 'string' || typeof field.id !== 'number') return undefined;
    fields.push({ id: field.id, name: field.name, required: field.required === true, type: field.type, doc: field.doc });
  }
  return fields;
}

function icebergType(type: Json, file: string, column: string): string {
  if (typeof type === 'string') {
    const decimal = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(type);
    if (decimal) return decimalType(Number(decimal[1]), Number(decimal[2]));
    // Parquet stores fixed[L] as FIXED_LEN_BYTE_ARRAY, which parquet.ts reads as BLOB.
    if (/^fixed\[\s*\d+\s*\]$/.test(type)) return 'BLOB';
    if (/^geometry\b/.test(type)) return 'GEOMETRY';
    if (/^geography\b/.test(type)) return 'GEOGRAPHY';
    return ICEBERG_PRIMITIVES[type] ?? type.toUpperCase();
  }
  if (!isObject(type)) throw new TableUnreadable(file, `column '${column}' has a type that is neither a name nor a struct, list or map`);
  switch (type.type) {
    case 'struct': {
      const fields = icebergStructFields(type);
      if (!fields) throw new TableUnreadable(file, `column '${column}' is a struct whose fields lack a name or id`);
      return structType(fields.map((f) => [f.name, icebergType(f.type, file, column)]));
    }
    case 'list': return `${icebergType(type.element, file, column)}[]`;
    case 'map': return `MAP(${icebergType(type.key, file, column)}, ${icebergType(type.value, file, column)})`;
    default: throw new TableUnreadable(file, `column '${column}' has a type of kind '${String(type.type)}', which is not struct, list or map`);
  }
}

// ---- shared spelling ----

function structType(fields: [string, string][]): string {
  if (fields.length === 0) return 'STRUCT()';
  return `STRUCT(${fields.map(([name, type]) => `${quoteStructKey(name)} ${type}`).join(', ')})`;
}

/** As parquet.ts: DuckDB reads decimals wider than its 38 digits as DOUBLE. */
function decimalType(precision: number, scale: number): string {
  return precision > 38 ? 'DOUBLE' : `DECIMAL(${precision},${scale})`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
