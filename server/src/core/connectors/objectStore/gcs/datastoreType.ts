import type { DatastoreTypeEntry } from '../../contract';
import { withoutUndefined } from '../../sharedSettings';
import type { DfsSettings } from '../../dfs/dfsConnector';
import { BUCKET_PROPERTY, ENDPOINT_PROPERTY, objectStoreSchema, readObjectStoreFileSettings } from '../objectStoreSettings';

/** A Google Cloud Storage bucket prefix's settings. */
export interface GcsSettings extends DfsSettings {
  bucket: string;
  prefix: string;
  /** The XML API's address for HMAC access (default https://storage.googleapis.com). */
  endpoint?: string;
  project?: string;
  hmac_access_id?: string;
  hmac_secret?: string;
}

/** `type: gcs`: CSV, JSON and Parquet objects and lake tables under a GCS bucket prefix. */
export const gcsType: DatastoreTypeEntry<GcsSettings> = {
  type: 'gcs',
  storeType: 'dfs',
  title: 'Google Cloud Storage bucket',
  schema: objectStoreSchema(
    {
      bucket: BUCKET_PROPERTY,
      project: { type: 'string', description: 'The Google Cloud project, when application default credentials do not name one.' },
      endpoint: ENDPOINT_PROPERTY,
    },
    {
      hmac_access_id: { type: 'string', description: 'An HMAC key\'s access id as a `${env:VARIABLE}` reference: the bucket is then read through the S3-compatible XML API. Without it, application default credentials are used.' },
      hmac_secret: { type: 'string', description: 'The HMAC key\'s secret as a `${env:VARIABLE}` reference; never a literal.' },
    },
    ['bucket'],
  ),
  settings: (read) => {
    const settings: GcsSettings = {
      ...readObjectStoreFileSettings(read, read.string(['bucket']) ?? 'bucket'),
      bucket: read.string(['bucket']) ?? '',
      endpoint: read.string(['endpoint']),
      project: read.string(['project']),
      hmac_access_id: read.string(['connection', 'hmac_access_id']),
      hmac_secret: read.string(['connection', 'hmac_secret']),
    };
    return withoutUndefined(settings);
  },
  open: async (target) => (await import('./gcsConnector')).openGcsConnector(target),
};
