import { Storage } from '@google-cloud/storage';
import { GoogleAuth } from 'google-auth-library';
import { ConnectorError, type Connector, type ConnectorTarget } from '../../contract';
import { fileStoreConnector } from '../../dfs/dfsConnector';
import { openS3Store } from '../s3/s3Connector';
import type { GcsSettings } from './datastoreType';
import { GcsFileStore } from './gcsFileStore';

/** The XML API that speaks S3 with HMAC keys. */
const GCS_XML_ENDPOINT = 'https://storage.googleapis.com';

/**
 * With HMAC keys, GCS is read through its S3-compatible XML API (the S3 store, tested against a
 * local S3 server); without, through Google's client and application default credentials.
 */
export function openGcsConnector(target: ConnectorTarget<GcsSettings>): Connector {
  const settings = target.settings;
  if (settings.hmac_access_id !== undefined || settings.hmac_secret !== undefined) {
    const store = openS3Store({
      ...settings,
      endpoint: settings.endpoint ?? GCS_XML_ENDPOINT,
      force_path_style: true,
      region: 'auto',
      ...(settings.hmac_access_id !== undefined ? { access_key_id: settings.hmac_access_id } : {}),
      ...(settings.hmac_secret !== undefined ? { secret_access_key: settings.hmac_secret } : {}),
    }, 'gcs', target.name);
    return { ...fileStoreConnector(store, settings), check: (signal) => store.probe(signal) };
  }
  const storage = async (): Promise<Storage> => {
    // Credentials are found first: without any, Google's client would send anonymous requests
    // (public buckets only) and fail later with a network error that says nothing useful.
    const auth = new GoogleAuth({ scopes: [READ_ONLY_SCOPE], ...(settings.project ? { projectId: settings.project } : {}) });
    try {
      await auth.getClient();
    } catch {
      throw new ConnectorError(`No usable Google credentials for gs://${settings.bucket}/${settings.prefix}: set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, log in with gcloud auth application-default login, or give connection.hmac_access_id and connection.hmac_secret as \${env:…} references.`, 'auth-failed');
    }
    return new Storage({ authClient: auth, ...(settings.project ? { projectId: settings.project } : {}), retryOptions: { autoRetry: true, maxRetries: 4 } });
  };
  let store: Promise<GcsFileStore> | undefined;
  const opened = (): Promise<GcsFileStore> => (store ??= storage().then((client) => new GcsFileStore(client, settings.bucket, settings.prefix)));
  return {
    discover: async (request, context) => fileStoreConnector(await opened(), settings).discover(request, context),
    check: async (signal) => (await opened()).probe(signal),
    close: async () => undefined,
  };
}

/** Reading objects and their metadata is all a sync does. */
const READ_ONLY_SCOPE = 'https://www.googleapis.com/auth/devstorage.read_only';
