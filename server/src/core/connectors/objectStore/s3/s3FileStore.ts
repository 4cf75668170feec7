/**
 * An S3 bucket prefix (AWS, or an S3-compatible service: MinIO, R2, Ceph, GCS's XML API) as a
 * file store. Read-only by construction: the only commands this module can send are
 * ListObjectsV2, GetObject (always with a Range) and HeadObject; nothing here can write, delete
 * or start a multipart upload (test/unit/object-store-s3.test.ts checks both the imports and the
 * wire through a proxy that refuses every other method).
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type GetObjectCommandOutput, type HeadObjectCommandOutput, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { ConnectorError } from '../../contract';
import { FileStoreError, type ByteRange, type FileBytes, type FileStat, type FileStore, type FileStoreListing, type OpenedFile, type StoreUsage } from '../../dfs/fileStore';
import { ObjectListingBuilder, printable } from '../objectListing';
import { openedObject, readAtMost, readObjectRange, totalOf } from '../rangedReads';

/** Where the store is, for messages: `s3://bucket/prefix` and how credentials were found. */
export interface S3Location {
  bucket: string;
  /** `` or ending in `/`. */
  prefix: string;
  region: string;
  endpoint?: string;
  /** `keys` (from the definition's references), `default` (the SDK's chain), `hmac` (GCS). */
  credentials: 'keys' | 'default' | 'hmac';
  /** `s3` or `gcs`, for the messages' wording. */
  service: 's3' | 'gcs';
}

export class S3FileStore implements FileStore {
  private readonly sizes = new Map<string, number>();
  private readonly counts: StoreUsage = { requests: 0, bytes: 0, retries: 0 };

  constructor(private readonly client: S3Client, readonly location: S3Location) {}

  usage(): StoreUsage {
    return { ...this.counts };
  }

  /** One page of one key: proves the bucket answers and the identity may list it ("Test Connection"). */
  async probe(signal: AbortSignal): Promise<string> {
    const page = await this.send<ListObjectsV2CommandOutput>(new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: this.location.prefix, MaxKeys: 1 }), signal).catch((error: unknown) => {
      throw listingError(error, this.location, signal);
    });
    const { bucket, prefix, endpoint, service } = this.location;
    const where = `${service === 'gcs' ? 'gs' : 's3'}://${bucket}/${printable(prefix)}${endpoint ? ` at ${endpoint}` : ''}`;
    return `${where} can be listed (${(page.KeyCount ?? 0) > 0 ? 'it holds objects' : 'no object under the prefix yet'}).`;
  }

  /**
   * Every object under the prefix, page by page (1,000 keys a page, each page asked with the
   * last one's continuation token: S3 offers no way to list one prefix in parallel that every
   * compatible service honours — s3rver, for one, drops the common prefixes of nested folders
   * from delimited listings, so splitting by folder would silently miss objects).
   */
  async list(extensions: ReadonlySet<string>, signal: AbortSignal): Promise<FileStoreListing> {
    const builder = new ObjectListingBuilder(extensions);
    await this.listPages(this.location.prefix, undefined, signal, (page) => {
      for (const object of page.Contents ?? []) this.addObject(builder, object);
    });
    return builder.finish();
  }

  private addObject(builder: ObjectListingBuilder, object: NonNullable<ListObjectsV2CommandOutput['Contents']>[number]): void {
    if (object.Key === undefined) return;
    const key = object.Key.slice(this.location.prefix.length);
    const size = object.Size ?? 0;
    this.sizes.set(key, size);
    builder.add({ key, size, mtimeMs: object.LastModified?.getTime() ?? 0, ...(object.ETag ? { etag: object.ETag } : {}) });
  }

  private async listPages(prefix: string, delimiter: string | undefined, signal: AbortSignal, onPage: (page: ListObjectsV2CommandOutput) => void): Promise<void> {
    let token: string | undefined;
    do {
      signal.throwIfAborted();
      const page = await this.send<ListObjectsV2CommandOutput>(new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token }), signal).catch((error: unknown) => {
        throw listingError(error, this.location, signal);
      });
      onPage(page);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async read(file: string, range: ByteRange): Promise<FileBytes> {
    return this.readRange(file, range, this.sizes.get(file));
  }

  async open(file: string): Promise<OpenedFile> {
    return openedObject(this.sizes.get(file), (range, size) => this.readRange(file, range, size));
  }

  async stat(file: string): Promise<FileStat> {
    if (file === '' || file.endsWith('/')) return { size: 0, mtimeMs: 0, kind: 'directory' };
    try {
      const head = await this.send<HeadObjectCommandOutput>(new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(file) }));
      return { size: head.ContentLength ?? 0, mtimeMs: head.LastModified?.getTime() ?? 0, kind: 'file' };
    } catch (error) {
      throw objectError(error, file);
    }
  }

  private readRange(file: string, range: ByteRange, knownSize: number | undefined): Promise<FileBytes> {
    return readObjectRange(range, knownSize, (start, length) => this.get(file, start, length), async () => (await this.stat(file)).size);
  }

  private async get(file: string, start: number, length: number): Promise<FileBytes> {
    let response;
    try {
      response = await this.send<GetObjectCommandOutput>(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(file), Range: `bytes=${start}-${start + length - 1}` }));
    } catch (error) {
      // An empty object has no byte 0: S3 answers 416 to any range of it.
      if (httpStatus(error) === 416) return { bytes: new Uint8Array(0), size: this.sizes.get(file) ?? 0 };
      throw objectError(error, file);
    }
    const total = totalOf(response.ContentRange) ?? (response.ContentLength ?? 0);
    // A server that ignores Range sends the whole object: read what was asked and drop the rest.
    const bytes = await readAtMost(response.Body as Readable | undefined, length);
    this.counts.bytes += bytes.length;
    return { bytes, size: total };
  }

  /** Sends one command, counting it and its retries. */
  private async send<T extends { $metadata: { attempts?: number } }>(command: { input: object }, signal?: AbortSignal): Promise<T> {
    this.counts.requests++;
    try {
      const output = (await this.client.send(command as never, { abortSignal: signal })) as T;
      this.countRetries(output.$metadata.attempts);
      return output;
    } catch (error) {
      this.countRetries((error as { $metadata?: { attempts?: number } }).$metadata?.attempts);
      throw error;
    }
  }

  private countRetries(attempts: number | undefined): void {
    if (attempts !== undefined && attempts > 1) {
      this.counts.retries += attempts - 1;
      this.counts.requests += attempts - 1;
    }
  }

  private keyOf(file: string): string {
    return this.location.prefix + file;
  }
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function errorName(error: unknown): string {
  const named = error as { name?: string; Code?: string; code?: string };
  return named.Code ?? named.name ?? named.code ?? 'Error';
}

/** A failed read of one object, as the connector's per-file messages expect it. */
function objectError(error: unknown, file: string): unknown {
  if (error instanceof FileStoreError) return error;
  const status = httpStatus(error);
  const name = errorName(error);
  if (name === 'AbortError') return error;
  if (status === 404 || name === 'NoSuchKey' || name === 'NotFound') return new FileStoreError('ENOENT', file, { cause: error });
  if (status === 403 || name === 'AccessDenied') return new FileStoreError('EACCES', file, { cause: error });
  return new FileStoreError(status !== undefined ? `HTTP ${status} ${name}` : name, file, { cause: error });
}

/** Why a listing failed, said so that the reader knows what to change; never a secret. */
export function listingError(error: unknown, location: S3Location, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason ?? error;
  const name = errorName(error);
  const status = httpStatus(error);
  const where = `${location.service === 'gcs' ? 'gs' : 's3'}://${location.bucket}/${printable(location.prefix)}`;
  const at = location.endpoint ? ` at ${location.endpoint}` : '';
  const response = (error as { $response?: { headers?: Record<string, string> } }).$response;
  const bucketRegion = response?.headers?.['x-amz-bucket-region'] ?? (error as { Region?: string }).Region;
  if (name === 'NoSuchBucket') {
    return new ConnectorError(`Bucket '${location.bucket}' does not exist${at}. Check 'bucket'${location.endpoint ? " and 'endpoint'" : " and 'region'"} in the definition.`, 'source-not-found');
  }
  if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || name === 'IllegalLocationConstraintException' || status === 301) {
    const hint = bucketRegion ? `is in region '${bucketRegion}', not '${location.region}'. Set region: ${bucketRegion}` : `is not in region '${location.region}'. Set 'region' to the bucket's region`;
    return new ConnectorError(`Bucket '${location.bucket}' ${hint} in the definition.`, 'wrong-region');
  }
  if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'ExpiredToken' || name === 'InvalidToken' || name === 'TokenRefreshRequired') {
    const which = location.credentials === 'keys' ? "the keys in the definition's connection (access_key_id, secret_access_key)" : location.credentials === 'hmac' ? 'the HMAC key in the definition' : "the credentials the AWS SDK found (environment, AWS_PROFILE, web identity or instance role)";
    return new ConnectorError(`${where}${at} refused ${which}: ${name}. Check that the variables they reference hold a valid, unexpired key.`, 'auth-failed');
  }
  if (name === 'AccessDenied' || status === 403) {
    return new ConnectorError(`${where}${at} denied the listing (${name}). The syncing identity needs ${location.service === 'gcs' ? 'storage.objects.list and storage.objects.get (roles/storage.objectViewer)' : 's3:ListBucket on the bucket and s3:GetObject on its objects'}; nothing else.`, 'permission-denied');
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test((error as Error).message ?? '')) {
    return new ConnectorError(`No credentials for ${where}: set connection.access_key_id and connection.secret_access_key as \${env:…} references, or provide them the AWS way (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity, instance role).`, 'auth-failed');
  }
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || name === 'TimeoutError' || name === 'RequestTimeout') {
    return new ConnectorError(`${where} could not be reached${at || ` in region '${location.region}'`} (${code ?? name}). Check 'endpoint', 'region' and the network.`, 'source-unreachable');
  }
  if (status !== undefined && status >= 500) {
    return new ConnectorError(`${where}${at} kept failing (HTTP ${status} ${name}) after retries. Try again later.`, 'source-unavailable');
  }
  return new ConnectorError(`${where}${at} could not be listed: ${name}${status !== undefined ? ` (HTTP ${status})` : ''}.`, 'source-unreadable');
}
