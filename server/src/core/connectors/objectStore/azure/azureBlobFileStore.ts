/**
 * An Azure Blob Storage container prefix (or an ADLS Gen2 file system's folder) as a file store.
 * Read-only by construction: the only operations this module sends are List Blobs, Get Blob with
 * a range, and Get Blob Properties. A blob is never downloaded whole: every download names its
 * offset and count, and the tail of a blob is asked at an offset computed from its size (the SDK
 * has no suffix range).
 *
 * Every try on the wire passes one pipeline policy placed after signing, inside the SDK's retry
 * loop: it counts requests and retries honestly, and abandons a try that does not answer in time
 * so that the retry policy tries again instead of waiting forever.
 */
import type { Readable } from 'node:stream';
import { ContainerClient, RestError, StorageRetryPolicyType, newPipeline, type BlobItem, type Pipeline } from '@azure/storage-blob';
import type { OperationLogEntry } from '../../../model';
import { ConnectorError } from '../../contract';
import { extensionOf } from '../../dfs/fileFormats';
import { FileStoreError, type ByteRange, type FileBytes, type FileStat, type FileStore, type FileStoreListing, type OpenedFile, type StoreUsage } from '../../dfs/fileStore';
import { ObjectListingBuilder, printable } from '../objectListing';
import { openedObject, readAtMost, readObjectRange, totalOf } from '../rangedReads';

/** How the store authenticates, for messages: which connection key was used, or DefaultAzureCredential. */
export type AzureCredentialKind = 'connection_string' | 'account_key' | 'sas_token' | 'default';

/** Where the store is, for messages; never holds a secret. */
export interface AzureBlobLocation {
  account: string;
  container: string;
  /** `` or ending in `/`. */
  prefix: string;
  /** The blob service endpoint, without any SAS query. */
  endpoint: string;
  credential: AzureCredentialKind;
}

/** Limits of the store's requests; the defaults suit a real account, tests shorten them. */
export interface AzureBlobStoreLimits {
  /** Tries per request, the first included (the SDK's exponential retry policy). */
  maxTries?: number;
  /** The first retry waits 0, then 1×, 3×, 7×… this delay, up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** A try (a list page, a head, or a download's headers) without an answer in this long is abandoned and retried. */
  tryTimeoutMs?: number;
  /** A ranged read, retries and body included, gives up after this long. */
  readTimeoutMs?: number;
}

const DEFAULT_LIMITS: Required<AzureBlobStoreLimits> = {
  maxTries: 5,
  retryDelayMs: 800,
  maxRetryDelayMs: 15_000,
  tryTimeoutMs: 30_000,
  readTimeoutMs: 120_000,
};

/** Blobs per list page: the service's maximum, so a container of 100,000 blobs is 20 requests. */
const LIST_PAGE_SIZE = 5000;

/** The SDK's credential argument: a shared key, anonymous (a SAS in the URL), or a token credential. */
export type AzureStorageCredential = Parameters<typeof newPipeline>[0];

/** What the wire policy counts: every try sent, and the tries that repeated one already sent. */
interface WireCounts {
  tries: number;
  retries: number;
}

/**
 * A container client whose pipeline carries the wire policy. The pipeline built by `newPipeline`
 * belongs to this client and the blob clients it hands out (they share it), so the policy is
 * added once.
 */
class MeteredContainerClient extends ContainerClient {
  constructor(url: string, pipeline: Pipeline, counts: WireCounts, tryTimeoutMs: number) {
    super(url, pipeline);
    // The retry policy sends the same request object again: a request seen before is a retry.
    const sent = new WeakSet<object>();
    this.storageClientContext.pipeline.addPolicy({
      name: 'catalogWireMeter',
      sendRequest: async (request, next) => {
        counts.tries++;
        if (sent.has(request)) counts.retries++;
        else sent.add(request);
        const caller = request.abortSignal;
        // This try's signal: the caller's abort, or the timer. It stays linked to the caller after
        // the headers, because a download's body is read from it afterwards.
        const thisTry = new AbortController();
        if (caller?.aborted) thisTry.abort();
        else caller?.addEventListener('abort', () => thisTry.abort(), { once: true });
        let timedOut = false;
        const timeout = setTimeout(() => {
          timedOut = true;
          thisTry.abort();
        }, tryTimeoutMs);
        request.abortSignal = thisTry.signal;
        try {
          return await next(request);
        } catch (error) {
          // A try that hung: an error the retry policy retries (ETIMEDOUT), unless the caller aborted.
          if (timedOut && !caller?.aborted) throw new RestError(`No answer within ${tryTimeoutMs / 1000} s.`, { code: 'ETIMEDOUT', request });
          throw error;
        } finally {
          clearTimeout(timeout);
          request.abortSignal = caller;
        }
      },
    }, { afterPhase: 'Sign' });
  }
}

export class AzureBlobFileStore implements FileStore {
  private readonly client: ContainerClient;
  private readonly limits: Required<AzureBlobStoreLimits>;
  private readonly wire: WireCounts = { tries: 0, retries: 0 };
  private bytes = 0;
  /** Key (relative to the prefix) → size, from the last listing: a tail read needs no head. */
  private sizes = new Map<string, number>();
  /** The signal of the last listing: the reads of a sync follow its listing and end with it. */
  private readSignal: AbortSignal | undefined;

  /** `containerUrl` may carry a SAS query (then `credential` is anonymous). */
  constructor(containerUrl: string, credential: AzureStorageCredential, readonly location: AzureBlobLocation, limits: AzureBlobStoreLimits = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    const pipeline = newPipeline(credential, {
      retryOptions: {
        retryPolicyType: StorageRetryPolicyType.EXPONENTIAL,
        maxTries: this.limits.maxTries,
        retryDelayInMs: this.limits.retryDelayMs,
        maxRetryDelayInMs: this.limits.maxRetryDelayMs,
      },
    });
    this.client = new MeteredContainerClient(containerUrl, pipeline, this.wire, this.limits.tryTimeoutMs);
  }

  usage(): StoreUsage {
    return { requests: this.wire.tries, bytes: this.bytes, retries: this.wire.retries };
  }

  /** One list page of one blob: proves the container answers and the credential may list it ("Test Connection"). */
  async probe(signal: AbortSignal): Promise<string> {
    const { prefix } = this.location;
    let holdsBlobs: boolean;
    try {
      const first = await this.client.listBlobsFlat({ ...(prefix ? { prefix } : {}), abortSignal: signal }).byPage({ maxPageSize: 1 }).next();
      holdsBlobs = !first.done && first.value.segment.blobItems.length > 0;
    } catch (error) {
      throw listingError(error, this.location, signal);
    }
    const where = prefix ? ` under '${printable(prefix)}'` : '';
    return `${describeContainer(this.location)} can be listed with ${credentialWording(this.location.credential)} (${holdsBlobs ? `it holds blobs${where}` : `no blob${where} yet`}).`;
  }

  /**
   * The flat listing of the prefix, page after page, into the listing builder. Folder
   * placeholders (ADLS Gen2 directories, zero-length `…/` keys) are not files; blobs in the
   * Archive tier cannot be read without rehydration, so they are left out with a warning.
   */
  async list(extensions: ReadonlySet<string>, signal: AbortSignal): Promise<FileStoreListing> {
    this.readSignal = signal;
    const builder = new ObjectListingBuilder(extensions);
    const sizes = new Map<string, number>();
    const skipped: OperationLogEntry[] = [];
    const { prefix } = this.location;
    try {
      // includeMetadata: an ADLS Gen2 directory is a zero-length blob told apart only by hdi_isfolder.
      const pages = this.client.listBlobsFlat({ ...(prefix ? { prefix } : {}), includeMetadata: true, abortSignal: signal }).byPage({ maxPageSize: LIST_PAGE_SIZE });
      for await (const page of pages) {
        signal.throwIfAborted();
        for (const item of page.segment.blobItems) this.addBlob(item, builder, sizes, extensions, skipped);
      }
    } catch (error) {
      throw listingError(error, this.location, signal);
    }
    this.sizes = sizes;
    const listing = builder.finish();
    listing.logs.push(...skipped);
    return listing;
  }

  private addBlob(item: BlobItem, builder: ObjectListingBuilder, sizes: Map<string, number>, extensions: ReadonlySet<string>, skipped: OperationLogEntry[]): void {
    if (!item.name.startsWith(this.location.prefix)) return;
    const key = item.name.slice(this.location.prefix.length);
    const size = item.properties.contentLength ?? 0;
    if (isFolderPlaceholder(key, size, item.metadata)) return;
    if (item.properties.accessTier === 'Archive') {
      const name = key.slice(key.lastIndexOf('/') + 1);
      if (extensions.has(extensionOf(name)) && !key.split('/').some((segment) => segment.startsWith('.'))) {
        skipped.push({ level: 'warning', code: 'object-archived', file: printable(key), message: `Blob '${printable(key)}' is in the Archive tier, so it cannot be read; it was left out. Rehydrate it to the Hot or Cool tier to catalog it.` });
      }
      return;
    }
    sizes.set(key, size);
    builder.add({ key, size, mtimeMs: item.properties.lastModified.getTime(), etag: item.properties.etag });
  }

  async read(file: string, range: ByteRange): Promise<FileBytes> {
    return this.readRange(file, range, this.sizes.get(file));
  }

  async open(file: string): Promise<OpenedFile> {
    return openedObject(this.sizes.get(file), (range, size) => this.readRange(file, range, size));
  }

  async stat(file: string): Promise<FileStat> {
    if (file === '' || file.endsWith('/')) return { size: 0, mtimeMs: 0, kind: 'directory' };
    return this.withReadTimeout(file, async (abortSignal) => {
      const properties = await this.client.getBlobClient(this.keyOf(file)).getProperties({ abortSignal });
      const size = properties.contentLength ?? 0;
      return { size, mtimeMs: properties.lastModified?.getTime() ?? 0, kind: isFolderPlaceholder(file, size, properties.metadata) ? 'directory' : 'file' };
    });
  }

  private readRange(file: string, range: ByteRange, knownSize: number | undefined): Promise<FileBytes> {
    return readObjectRange(range, knownSize, (start, length) => this.download(file, start, length), async () => (await this.stat(file)).size);
  }

  /** One ranged download; a range past the end (the blob shrank, or is empty) answers no bytes and the size. */
  private async download(file: string, start: number, length: number): Promise<FileBytes> {
    const answer = await this.withReadTimeout(file, async (abortSignal) => {
      try {
        const response = await this.client.getBlobClient(this.keyOf(file)).download(start, length, { abortSignal, maxRetryRequests: 2 });
        const bytes = await readAtMost(response.readableStreamBody as Readable | undefined, length);
        this.bytes += bytes.length;
        return { bytes, size: totalOf(response.contentRange) ?? response.contentLength ?? bytes.length };
      } catch (error) {
        if (statusOf(error) === 416) return undefined;
        throw error;
      }
    });
    if (answer) return answer;
    return { bytes: new Uint8Array(0), size: (await this.stat(file)).size };
  }

  /**
   * Runs one read with the last listing's signal and a deadline for the whole read (retries and
   * body included); failures become FileStoreErrors, as the connector's per-file messages expect.
   */
  private async withReadTimeout<T>(file: string, read: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = AbortSignal.timeout(this.limits.readTimeoutMs);
    const signal = this.readSignal ? AbortSignal.any([this.readSignal, deadline]) : deadline;
    try {
      return await read(signal);
    } catch (error) {
      if (this.readSignal?.aborted) throw this.readSignal.reason ?? error;
      if (deadline.aborted) throw new FileStoreError('ETIMEDOUT', file, { cause: error });
      throw blobError(error, file);
    }
  }

  private keyOf(file: string): string {
    return this.location.prefix + file;
  }
}

/** An ADLS Gen2 directory (metadata hdi_isfolder=true) or a zero-length `…/` folder marker. */
function isFolderPlaceholder(key: string, size: number, metadata: Record<string, string> | undefined): boolean {
  if (size === 0 && key.endsWith('/')) return true;
  if (!metadata) return false;
  // Metadata names are case-insensitive on the service; the SDK keeps the case they were written in.
  return Object.entries(metadata).some(([name, value]) => name.toLowerCase() === 'hdi_isfolder' && value.toLowerCase() === 'true');
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The service's error code (`ContainerNotFound`, `AuthenticationFailed`), else the network's (`ECONNREFUSED`). */
function errorCodeOf(error: unknown): string | undefined {
  const details = (error as { details?: { errorCode?: unknown } } | null)?.details;
  if (typeof details?.errorCode === 'string') return details.errorCode;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A failed read of one blob. */
function blobError(error: unknown, file: string): unknown {
  if (error instanceof FileStoreError) return error;
  const status = statusOf(error);
  const code = errorCodeOf(error);
  if (status === 404) return new FileStoreError('ENOENT', file, { cause: error });
  if (status === 403 || status === 401) return new FileStoreError('EACCES', file, { cause: error });
  if (code !== undefined && /^E[A-Z0-9]{2,15}$/.test(code)) return new FileStoreError(code, file, { cause: error });
  // Errno-like, so that the per-file message says "cannot be read" and names the service's answer.
  return new FileStoreError(status !== undefined && status >= 500 ? 'EIO' : 'EPROTO', file, { cause: error });
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'REQUEST_SEND_ERROR']);
const CREDENTIAL_ERRORS = new Set(['CredentialUnavailableError', 'AggregateAuthenticationError', 'AuthenticationRequiredError', 'AuthenticationError']);

export function describeContainer(location: AzureBlobLocation): string {
  return `Container '${location.container}' of storage account '${location.account}' at ${location.endpoint}`;
}

function credentialWording(kind: AzureCredentialKind): string {
  switch (kind) {
    case 'account_key': return 'the account key (connection.account_key)';
    case 'sas_token': return 'the SAS token (connection.sas_token)';
    case 'connection_string': return 'the connection string (connection.connection_string)';
    default: return 'DefaultAzureCredential (environment variables, workload or managed identity, Azure CLI sign-in)';
  }
}

/** What the credential needs to read the container, said to whoever grants it. */
function neededPermission(kind: AzureCredentialKind): string {
  switch (kind) {
    case 'sas_token': return 'The SAS must be valid now and allow read (r) and list (l) on the container (an account SAS also needs resource types container and object, srt=co).';
    case 'connection_string': return 'If the connection string holds a SAS, it must be valid now and allow read (r) and list (l); if it holds a key, the key must be current.';
    case 'account_key': return 'An account key allows every operation, so the account\'s own settings refuse it (network rules, or key access disabled).';
    default: return 'The identity needs the Storage Blob Data Reader role on the container or the account (Azure RBAC; the Reader role alone does not allow reading data).';
  }
}

/** Why a listing failed, said so that the reader knows what to change; never a secret, never the SDK's raw text. */
export function listingError(error: unknown, location: AzureBlobLocation, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason ?? error;
  if (error instanceof ConnectorError) return error;
  const status = statusOf(error);
  const code = errorCodeOf(error);
  const name = (error as { name?: unknown } | null)?.name;
  const where = describeContainer(location);
  if (code === 'ContainerNotFound' || (status === 404 && code !== 'ResourceNotFound')) {
    return new ConnectorError(`Container '${location.container}' does not exist in storage account '${location.account}' at ${location.endpoint}. Check 'container' and 'account'${location.credential === 'connection_string' ? ' and the connection string' : ''} in the definition.`, 'source-not-found');
  }
  if (code === 'ResourceNotFound' || code === 'AccountNotFound' || code === 'InvalidUri') {
    return new ConnectorError(`Storage account '${location.account}' was not found at ${location.endpoint} (${code}). Check 'account' and 'endpoint' in the definition.`, 'source-not-found');
  }
  if (typeof name === 'string' && CREDENTIAL_ERRORS.has(name)) {
    return new ConnectorError(`No Azure credential could be obtained for ${where}: DefaultAzureCredential found none (${name}). Sign in (az login), give this machine a managed or workload identity, or set connection.account_key, connection.sas_token or connection.connection_string as a \${env:…} reference.`, 'auth-failed');
  }
  if (status === 403 || status === 401) {
    const kind = credentialWording(location.credential);
    if (code === 'AuthorizationPermissionMismatch' || code === 'AuthorizationResourceTypeMismatch' || code === 'AuthorizationServiceMismatch') {
      return new ConnectorError(`${where} refused to list blobs to ${kind}: it is authenticated but not allowed (${code}). ${neededPermission(location.credential)}`, 'permission-denied');
    }
    if (code === 'KeyBasedAuthenticationNotPermitted') {
      return new ConnectorError(`${where} does not allow access by account key (Shared Key authorization is disabled on the account), so ${kind} cannot be used. Remove the key from the definition to use DefaultAzureCredential (with the Storage Blob Data Reader role), or use a user delegation SAS.`, 'auth-failed');
    }
    if (code === 'AuthorizationFailure' && location.credential === 'default') {
      return new ConnectorError(`${where} refused ${kind} (AuthorizationFailure): the account's firewall or network rules may keep this machine out, or the identity lacks access. ${neededPermission(location.credential)}`, 'permission-denied');
    }
    const check = location.credential === 'account_key'
      ? `Check that the variable connection.account_key references holds a current key (key1 or key2) of account '${location.account}'; if it does, the account's network rules may keep this machine out.`
      : location.credential === 'sas_token'
        ? 'Check that the variable connection.sas_token references holds an unexpired SAS for this account and container.'
        : location.credential === 'connection_string'
          ? 'Check that the variable connection.connection_string references holds a current connection string of this account.'
          : 'Check the identity DefaultAzureCredential picked (AZURE_CLIENT_ID, az account show).';
    const needed = location.credential === 'account_key' ? '' : ` ${neededPermission(location.credential)}`;
    return new ConnectorError(`${where} refused ${kind} (${code ?? `HTTP ${status}`}). ${check}${needed}`, 'auth-failed');
  }
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return new ConnectorError(`The blob endpoint ${location.endpoint} of storage account '${location.account}' could not be reached (${code}). Check 'account' and 'endpoint' in the definition, and that this machine can reach it (DNS, firewall, proxy).`, 'source-unreachable');
  }
  if (status !== undefined && status >= 500) {
    return new ConnectorError(`${where} kept failing (HTTP ${status}${code ? ` ${code}` : ''}) after retries. Try again later.`, 'source-unavailable');
  }
  return new ConnectorError(`${where} could not be listed (${code ?? (typeof name === 'string' ? name : 'error')}${status !== undefined ? `, HTTP ${status}` : ''}).`, 'source-unreadable');
}
