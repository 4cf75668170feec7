import { AnonymousCredential, BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { ConnectorError, type Connector, type ConnectorTarget } from '../../contract';
import { fileStoreConnector } from '../../dfs/dfsConnector';
import { AzureBlobFileStore, type AzureBlobLocation, type AzureBlobStoreLimits, type AzureCredentialKind, type AzureStorageCredential } from './azureBlobFileStore';
import type { AzureBlobSettings } from './datastoreType';

export async function openAzureBlobConnector(target: ConnectorTarget<AzureBlobSettings>): Promise<Connector> {
  const store = await openAzureBlobStore(target.settings, target.name);
  return { ...fileStoreConnector(store, target.settings), check: (signal) => store.probe(signal) };
}

/**
 * The store over `settings`. The credential is the one connection key given (a connection
 * string, an account key or a SAS token); with none, DefaultAzureCredential, whose package is
 * loaded only then. `limits` tune retries and timeouts (tests shorten them).
 */
export async function openAzureBlobStore(settings: AzureBlobSettings, datastore: string, limits?: AzureBlobStoreLimits): Promise<AzureBlobFileStore> {
  const given = (['connection_string', 'account_key', 'sas_token'] as const).filter((key) => settings[key] !== undefined);
  if (given.length > 1) {
    throw new ConnectorError(`Datastore '${datastore}' gives ${given.map((key) => `connection.${key}`).join(' and ')}: keep only one of them (or none, to use DefaultAzureCredential).`, 'connection-conflict');
  }
  const credential: AzureCredentialKind = given[0] ?? 'default';
  if (settings.connection_string !== undefined) return storeFromConnectionString(settings, settings.connection_string, datastore, limits);
  if (settings.endpoint !== undefined && /[?#]/.test(settings.endpoint)) {
    // A query there is most likely a SAS: it is neither repeated nor used.
    throw new ConnectorError(`The endpoint of datastore '${datastore}' holds a query: write the blob service URL alone, and a SAS token in connection.sas_token as a \${env:…} reference.`, 'connection-invalid');
  }
  if (settings.endpoint !== undefined && /\.dfs\.core\./i.test(settings.endpoint)) {
    // ADLS Gen2 serves the same data on both; this store speaks the Blob API.
    throw new ConnectorError(`The endpoint of datastore '${datastore}' is the Data Lake (dfs) endpoint: write the blob endpoint, ${settings.endpoint.replace(/\.dfs\.core\./i, '.blob.core.')}, which serves the same file system, or leave 'endpoint' out.`, 'connection-invalid');
  }
  const endpoint = trimSlashes(settings.endpoint ?? (settings.account ? `https://${settings.account}.blob.core.windows.net` : ''));
  if (endpoint === '') {
    throw new ConnectorError(`Datastore '${datastore}' names no storage account: set 'account' (or 'endpoint', or connection.connection_string).`, 'connection-incomplete');
  }
  const account = settings.account ?? accountOfEndpoint(endpoint);
  if (account === undefined) {
    throw new ConnectorError(`Datastore '${datastore}': the storage account cannot be told from endpoint ${endpoint}; set 'account' as well.`, 'connection-incomplete');
  }
  let containerUrl = `${endpoint}/${encodeURIComponent(settings.container)}`;
  let sdkCredential: AzureStorageCredential;
  if (settings.account_key !== undefined) {
    sdkCredential = new StorageSharedKeyCredential(account, settings.account_key);
  } else if (settings.sas_token !== undefined) {
    // A SAS authenticates by its query; `?` is optional in what people copy from the portal.
    containerUrl += `?${settings.sas_token.replace(/^\?/, '')}`;
    sdkCredential = new AnonymousCredential();
  } else {
    // The SDK refuses to send a bearer token over plain HTTP; say so before any request.
    if (!endpoint.startsWith('https://')) {
      throw new ConnectorError(`Datastore '${datastore}' has no key, SAS or connection string, and DefaultAzureCredential needs an https endpoint, not ${endpoint}. For Azurite, set connection.account_key as a \${env:…} reference.`, 'connection-incomplete');
    }
    const { DefaultAzureCredential } = await import('@azure/identity');
    sdkCredential = new DefaultAzureCredential();
  }
  const location: AzureBlobLocation = { account, container: settings.container, prefix: settings.prefix, endpoint, credential };
  return new AzureBlobFileStore(containerUrl, sdkCredential, location, limits);
}

/** A connection string (with a key or a SAS, or UseDevelopmentStorage=true) parsed by the SDK; its text is never repeated. */
function storeFromConnectionString(settings: AzureBlobSettings, connectionString: string, datastore: string, limits: AzureBlobStoreLimits | undefined): AzureBlobFileStore {
  let service: BlobServiceClient;
  try {
    service = BlobServiceClient.fromConnectionString(connectionString);
  } catch {
    throw new ConnectorError(`The connection string of datastore '${datastore}' cannot be read: copy it whole from the portal (the storage account's Access keys, or Shared access signature), with AccountName and AccountKey, or BlobEndpoint and SharedAccessSignature.`, 'connection-invalid');
  }
  const url = new URL(service.url);
  url.search = '';
  const endpoint = trimSlashes(url.toString());
  const location: AzureBlobLocation = { account: service.accountName || settings.account || '?', container: settings.container, prefix: settings.prefix, endpoint, credential: 'connection_string' };
  // The container client's URL carries the SAS of a SAS connection string; a key's credential is the service client's.
  const containerUrl = service.getContainerClient(settings.container).url;
  return new AzureBlobFileStore(containerUrl, service.credential, location, limits);
}

/** `https://acme.blob.core.windows.net` → acme; `http://127.0.0.1:10000/devstoreaccount1` (Azurite, path style) → devstoreaccount1. */
function accountOfEndpoint(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return undefined;
  }
  const host = url.hostname;
  const pathStyle = host === 'localhost' || /^[0-9.]+$/.test(host) || host.includes(':') || host.startsWith('[');
  const name = pathStyle ? url.pathname.split('/').find((segment) => segment !== '') : host.split('.')[0];
  return name === undefined || name === '' ? undefined : decodeURIComponent(name);
}

function trimSlashes(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}
