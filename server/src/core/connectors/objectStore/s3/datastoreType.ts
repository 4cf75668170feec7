import type { DatastoreTypeEntry } from '../../contract';
import { withoutUndefined } from '../../sharedSettings';
import type { DfsSettings } from '../../dfs/dfsConnector';
import { BUCKET_PROPERTY, ENDPOINT_PROPERTY, objectStoreSchema, readObjectStoreFileSettings } from '../objectStoreSettings';

/** An S3 (or S3-compatible) bucket prefix's settings. */
export interface S3Settings extends DfsSettings {
  bucket: string;
  prefix: string;
  region?: string;
  endpoint?: string;
  force_path_style?: boolean;
  access_key_id?: string;
  secret_access_key?: string;
  session_token?: string;
}

/** `type: s3`: CSV, JSON and Parquet objects and lake tables under a bucket prefix. */
export const s3Type: DatastoreTypeEntry<S3Settings> = {
  type: 's3',
  storeType: 'dfs',
  title: 'S3 bucket',
  schema: objectStoreSchema(
    {
      bucket: BUCKET_PROPERTY,
      region: { type: 'string', pattern: '^[a-z0-9-]+$', description: "The bucket's region (`eu-west-1`); default AWS_REGION, else us-east-1. S3-compatible services often accept any." },
      endpoint: ENDPOINT_PROPERTY,
      force_path_style: { type: 'boolean', description: 'Address the bucket as `endpoint/bucket/key` instead of `bucket.endpoint/key` (most S3-compatible services need true).' },
    },
    {
      access_key_id: { type: 'string', description: 'An access key id as a `${env:VARIABLE}` reference. Without keys, the AWS SDK\'s default chain is used (environment, AWS_PROFILE, web identity, instance role).' },
      secret_access_key: { type: 'string', description: 'The secret key as a `${env:VARIABLE}` reference; never a literal.' },
      session_token: { type: 'string', description: 'A session token for temporary keys, as a `${env:VARIABLE}` reference.' },
    },
    ['bucket'],
  ),
  settings: (read) => {
    const settings: S3Settings = {
      ...readObjectStoreFileSettings(read, read.string(['bucket']) ?? 'bucket'),
      bucket: read.string(['bucket']) ?? '',
      region: read.string(['region']),
      endpoint: read.string(['endpoint']),
      force_path_style: read.value(['force_path_style']) === true,
      access_key_id: read.string(['connection', 'access_key_id']),
      secret_access_key: read.string(['connection', 'secret_access_key']),
      session_token: read.string(['connection', 'session_token']),
    };
    return withoutUndefined(settings);
  },
  open: async (target) => (await import('./s3Connector')).openS3Connector(target),
};
