/**
 * A Google Cloud Storage bucket prefix through Google's own client and application default
 * credentials (a service account key file named by GOOGLE_APPLICATION_CREDENTIALS, gcloud's user
 * login, workload identity). Kept thin on purpose: no GCS emulator runs on these machines, so
 * this path is exercised only up to its credential errors here; with HMAC keys the same bucket is
 * read through the S3-compatible XML API instead, which the tests cover (gcsConnector.ts).
 * Read-only: it lists and ranged-downloads, nothing else.
 */
import type { Bucket, Storage } from '@google-cloud/storage';
import { ConnectorError } from '../../contract';
import { FileStoreError, type ByteRange, type FileBytes, type FileStat, type FileStore, type FileStoreListing, type OpenedFile, type StoreUsage } from '../../dfs/fileStore';
import { ObjectListingBuilder, printable } from '../objectListing';

const PAGE_SIZE = 1000;

export class GcsFileStore implements FileStore {
  private readonly bucket: Bucket;
  private readonly sizes = new Map<string, number>();
  private readonly counts: StoreUsage = { requests: 0, bytes: 0, retries: 0 };

  constructor(storage: Storage, private readonly bucketName: string, private readonly prefix: string) {
    this.bucket = storage.bucket(bucketName);
  }

  usage(): StoreUsage {
    return { ...this.counts };
  }

  async probe(signal: AbortSignal): Promise<string> {
    signal.throwIfAborted();
    this.counts.requests++;
    const [files] = await this.bucket.getFiles({ prefix: this.prefix, autoPaginate: false, maxResults: 1 }).catch((error: unknown) => {
      throw this.listingError(error);
    });
    return `gs://${this.bucketName}/${printable(this.prefix)} can be listed (${files.length > 0 ? 'it holds objects' : 'no object under the prefix yet'}).`;
  }

  async list(extensions: ReadonlySet<string>, signal: AbortSignal): Promise<FileStoreListing> {
    const builder = new ObjectListingBuilder(extensions);
    let pageToken: string | undefined;
    do {
      signal.throwIfAborted();
      this.counts.requests++;
      const [files, next] = await this.bucket.getFiles({ prefix: this.prefix, autoPaginate: false, maxResults: PAGE_SIZE, ...(pageToken ? { pageToken } : {}) }).catch((error: unknown) => {
        throw this.listingError(error);
      });
      for (const file of files) {
        const key = file.name.slice(this.prefix.length);
        const size = Number(file.metadata.size ?? 0);
        this.sizes.set(key, size);
        builder.add({ key, size, mtimeMs: Date.parse(String(file.metadata.updated ?? '')) || 0, ...(file.metadata.etag ? { etag: String(file.metadata.etag) } : {}) });
      }
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken);
    return builder.finish();
  }

  async read(file: string, range: ByteRange): Promise<FileBytes> {
    let size = this.sizes.get(file);
    if (size === undefined) size = (await this.stat(file)).size;
    const start = 'last' in range ? Math.max(0, size - range.last) : range.offset;
    const end = Math.min(size, 'last' in range ? size : range.offset + range.length) - 1;
    if (end < start) return { bytes: new Uint8Array(0), size };
    this.counts.requests++;
    try {
      // `end` is inclusive; a part of an object has no checksum to validate.
      const [bytes] = await this.bucket.file(this.prefix + file).download({ start, end, validation: false });
      this.counts.bytes += bytes.length;
      return { bytes, size };
    } catch (error) {
      throw objectError(error, file);
    }
  }

  async open(file: string): Promise<OpenedFile> {
    return { read: (range) => this.read(file, range), close: () => undefined };
  }

  async stat(file: string): Promise<FileStat> {
    this.counts.requests++;
    try {
      const [metadata] = await this.bucket.file(this.prefix + file).getMetadata();
      return { size: Number(metadata.size ?? 0), mtimeMs: Date.parse(String(metadata.updated ?? '')) || 0, kind: 'file' };
    } catch (error) {
      throw objectError(error, file);
    }
  }

  private listingError(error: unknown): unknown {
    const status = (error as { code?: number | string }).code;
    const where = `gs://${this.bucketName}/${printable(this.prefix)}`;
    const message = (error as Error).message ?? '';
    if (status === 404) return new ConnectorError(`Bucket '${this.bucketName}' does not exist, or the credentials cannot see it. Check 'bucket'.`, 'source-not-found');
    if (status === 401 || /Could not load the default credentials|Unable to detect a Project Id/i.test(message)) {
      return new ConnectorError(`No usable Google credentials for ${where}: set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, log in with gcloud auth application-default login, or give connection.hmac_access_id and connection.hmac_secret as \${env:…} references.`, 'auth-failed');
    }
    if (status === 403) return new ConnectorError(`${where} denied the listing. The syncing identity needs storage.objects.list and storage.objects.get (roles/storage.objectViewer); nothing else.`, 'permission-denied');
    return new ConnectorError(`${where} could not be listed: ${typeof status === 'string' ? status : (error as Error).name ?? 'error'}${typeof status === 'number' ? ` (HTTP ${status})` : ''}.`, 'source-unreadable');
  }
}

function objectError(error: unknown, file: string): unknown {
  const status = (error as { code?: number | string }).code;
  if (status === 404) return new FileStoreError('ENOENT', file, { cause: error });
  if (status === 403 || status === 401) return new FileStoreError('EACCES', file, { cause: error });
  return new FileStoreError(typeof status === 'number' ? `HTTP ${status}` : String(status ?? 'error'), file, { cause: error });
}
