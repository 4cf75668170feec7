import type { DatastoreSchemaFragment, SettingsReader } from '../contract';
import { FILE_EXTENSIONS, dfsType } from '../dfs/datastoreType';
import type { DfsSettings } from '../dfs/dfsConnector';

/**
 * What every object store datastore shares with a local folder: which files are containers and
 * how they are grouped (`extensions`, `globbing`, `patterns`, `sample_files`), taken from the
 * `dfs` type so the two never drift; `prefix` replaces `root`.
 */
const FILE_KEYS = ['extensions', 'globbing', 'patterns', 'sample_files'] as const;

/** `bucket` of S3 and GCS (one schema per key across types: the editor shows one description). */
export const BUCKET_PROPERTY = {
  type: 'string',
  pattern: '^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$',
  patternErrorMessage: 'A bucket name is lower-case letters, digits, dots and hyphens, as in "acme-lake" (no s3:// or gs://, no key).',
  description: 'The bucket to read.',
} as const;

/** `endpoint` of every object store: where a non-default service answers. */
export const ENDPOINT_PROPERTY = {
  type: 'string',
  pattern: '^https?://',
  patternErrorMessage: 'Write the service URL, as in "https://minio.internal:9000".',
  description: 'The service\'s URL when it is not the cloud\'s default: an S3-compatible service (MinIO, R2, Ceph), GCS\'s XML API for HMAC keys, Azurite or a sovereign Azure cloud.',
} as const;

export const OBJECT_STORE_FILE_PROPERTIES: Readonly<Record<string, object>> = {
  prefix: {
    type: 'string',
    pattern: '^(?!/)(?!.*//)(?!(.*/)?\\.{1,2}(/|$)).*$',
    patternErrorMessage: 'Write the key prefix without a leading `/`, `//`, `.` or `..` segments, as in "raw/sales/".',
    description: 'Only objects whose keys start with this prefix are read; it is the root of the store (`raw/sales/`). A prefix without a trailing `/` is taken as a folder.',
  },
  ...Object.fromEntries(FILE_KEYS.map((key) => [key, dfsType.schema.properties![key]!])),
};

/** The file settings of an object store datastore, read as `dfs` reads them; `rootName` names a lake table at the prefix itself. */
export function readObjectStoreFileSettings(read: SettingsReader, container: string): DfsSettings & { prefix: string } {
  const globbing = read.value(['globbing']);
  const prefix = normalizePrefix(read.string(['prefix']) ?? '');
  const segments = prefix.split('/').filter((s) => s !== '');
  return {
    prefix,
    extensions: read.strings(['extensions']) ?? [...FILE_EXTENSIONS],
    globbing: globbing === false ? false : globbing === 'folder' ? 'folder' : true,
    sample_files: Math.min(read.number(['sample_files']) ?? 10, 1000),
    patterns: read.strings(['patterns']) ?? [],
    rootName: segments[segments.length - 1] ?? container,
  };
}

/** `raw/sales` and `raw/sales/` are the same folder; `` is the whole bucket. */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

/** Schema fragment helper: the file keys plus a store's own top-level and `connection` keys. */
export function objectStoreSchema(own: Readonly<Record<string, object>>, connection: Readonly<Record<string, object>>, required: readonly string[]): DatastoreSchemaFragment {
  return { properties: { ...own, ...OBJECT_STORE_FILE_PROPERTIES }, connection, required };
}
