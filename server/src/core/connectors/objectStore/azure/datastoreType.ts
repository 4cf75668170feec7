import type { DatastoreTypeEntry } from '../../contract';
import { withoutUndefined } from '../../sharedSettings';
import type { DfsSettings } from '../../dfs/dfsConnector';
import { ENDPOINT_PROPERTY, objectStoreSchema, readObjectStoreFileSettings } from '../objectStoreSettings';

/** An Azure Blob Storage container prefix's settings (an ADLS Gen2 file system is a container). */
export interface AzureBlobSettings extends DfsSettings {
  /** The storage account name; may be left out when `endpoint` or the connection string names it. */
  account?: string;
  container: string;
  prefix: string;
  /** The blob service endpoint (Azurite, a sovereign cloud, a private endpoint); default `https://<account>.blob.core.windows.net`. */
  endpoint?: string;
  connection_string?: string;
  account_key?: string;
  sas_token?: string;
}

/** Container names: 3–63 lower-case letters, digits and single hyphens; `$root` and `$web` are Azure's own. */
const CONTAINER_NAME = {
  type: 'string',
  pattern: '^(?:(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*|\\$root|\\$web)$',
  patternErrorMessage: 'A container name is 3–63 lower-case letters, digits and single hyphens, as in "raw-sales" (no URL and no folder: folders go in prefix).',
  description: 'The container (for ADLS Gen2: the file system) to read.',
};

/** `type: azure_blob`: CSV, JSON and Parquet blobs and lake tables under a container prefix. */
export const azureBlobType: DatastoreTypeEntry<AzureBlobSettings> = {
  type: 'azure_blob',
  storeType: 'dfs',
  title: 'Azure Blob Storage container',
  schema: objectStoreSchema(
    {
      account: {
        type: 'string',
        pattern: '^[a-z0-9]{3,24}$',
        patternErrorMessage: 'A storage account name is 3–24 lower-case letters and digits, as in "acmelake" (not a URL: a URL goes in endpoint).',
        description: 'The storage account (`acmelake` for https://acmelake.blob.core.windows.net). Not needed when `endpoint` or `connection.connection_string` names it.',
      },
      container: CONTAINER_NAME,
      // One schema for `endpoint` across object stores (the editor shows one description).
      endpoint: ENDPOINT_PROPERTY,
    },
    {
      connection_string: { type: 'string', description: 'A storage connection string (with an account key or a SAS) as a `${env:VARIABLE}` reference; never a literal.' },
      account_key: { type: 'string', description: 'An access key of the account as a `${env:VARIABLE}` reference; never a literal.' },
      sas_token: { type: 'string', description: 'A SAS token with read (r) and list (l) permissions, as a `${env:VARIABLE}` reference; never a literal. Without a key, SAS or connection string, DefaultAzureCredential is used (environment, workload or managed identity, Azure CLI), which needs the Storage Blob Data Reader role.' },
    },
    ['container'],
  ),
  settings: (read) => {
    const container = read.string(['container']) ?? '';
    const settings: AzureBlobSettings = {
      ...readObjectStoreFileSettings(read, container || 'container'),
      account: read.string(['account']),
      container,
      endpoint: read.string(['endpoint']),
      connection_string: read.string(['connection', 'connection_string']),
      account_key: read.string(['connection', 'account_key']),
      sas_token: read.string(['connection', 'sas_token']),
    };
    return withoutUndefined(settings);
  },
  open: async (target) => (await import('./azureBlobConnector')).openAzureBlobConnector(target),
};
