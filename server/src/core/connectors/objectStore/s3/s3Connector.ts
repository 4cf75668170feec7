import { S3Client } from '@aws-sdk/client-s3';
import { ConnectorError, type Connector, type ConnectorTarget } from '../../contract';
import { fileStoreConnector } from '../../dfs/dfsConnector';
import type { S3Settings } from './datastoreType';
import { S3FileStore, type S3Location } from './s3FileStore';

/**
 * The SDK warns once per process that its 2027 releases need Node 22; the CLI and the language
 * server print stderr to people, who can do nothing about it. Set before the first client.
 */
// eslint-disable-next-line no-restricted-properties -- the SDK reads this switch from the environment only
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Attempts per request (the SDK's standard retry: exponential backoff with jitter on 5xx, SlowDown and 429). */
const MAX_ATTEMPTS = 5;
const CONNECT_TIMEOUT_MS = 10_000;
/** A ranged GET or a list page that has not answered in this long is retried, not waited for. */
const REQUEST_TIMEOUT_MS = 60_000;

export function openS3Connector(target: ConnectorTarget<S3Settings>): Connector {
  const store = openS3Store(target.settings, 's3', target.name);
  return { ...fileStoreConnector(store, target.settings), check: (signal) => store.probe(signal) };
}

/** The store over `settings`; `service` words the messages (GCS's XML API speaks S3). */
export function openS3Store(settings: S3Settings, service: 's3' | 'gcs', datastore: string): S3FileStore {
  const { access_key_id: accessKeyId, secret_access_key: secretAccessKey, session_token: sessionToken } = settings;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    const missing = accessKeyId === undefined ? (service === 'gcs' ? 'hmac_access_id' : 'access_key_id') : service === 'gcs' ? 'hmac_secret' : 'secret_access_key';
    throw new ConnectorError(`Datastore '${datastore}' gives only one half of its key: add connection.${missing} (as a \${env:…} reference), or remove both to use the default credentials.`, 'connection-incomplete');
  }
  // AWS_REGION is the AWS way to name a region, read where the SDK's default credential chain reads
  // AWS_PROFILE and the keys: from the process's environment, which no host can pass through.
  // eslint-disable-next-line no-restricted-properties
  const region = settings.region ?? (service === 'gcs' ? 'auto' : (process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1'));
  const client = new S3Client({
    region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.force_path_style === true,
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'standard',
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    // Checksums on every request are an AWS extension that S3-compatible services (GCS, older
    // MinIO) refuse; a read-only client sends no body to check anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const location: S3Location = {
    bucket: settings.bucket,
    prefix: settings.prefix,
    region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    credentials: accessKeyId ? (service === 'gcs' ? 'hmac' : 'keys') : 'default',
    service,
  };
  return new S3FileStore(client, location);
}
