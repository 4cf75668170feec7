import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The SDK's default chain would ask the EC2 instance metadata address (169.254.169.254): tests
// aim at loopback only, and always give keys.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
// Google's client would probe the GCE metadata server likewise: never.
process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GCE_METADATA_HOST = '127.0.0.1:9';
delete process.env.GOOGLE_APPLICATION_CREDENTIALS;

/** s3rver's built-in account: public, documented, accepted by it only. */
export const S3RVER_KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * A real S3 REST server (s3rver, from npm) on a free loopback port with a temporary folder, in
 * a process of its own (s3rverMain.mjs says why), and an admin client that writes fixtures into
 * it (never the connector's client).
 */
export class LocalS3 {
  private constructor(private readonly server: ChildProcess, readonly endpoint: string, readonly directory: string, readonly admin: S3Client) {}

  static async start(): Promise<LocalS3> {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-s3rver-'));
    const server = spawn(process.execPath, ['--openssl-legacy-provider', path.join(__dirname, 's3rverMain.mjs'), directory], { stdio: ['pipe', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.includes('\n')) resolve((JSON.parse(out.slice(0, out.indexOf('\n'))) as { port: number }).port);
      });
      server.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before it listened`)));
    });
    const endpoint = `http://127.0.0.1:${port}`;
    const admin = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: S3RVER_KEYS, requestChecksumCalculation: 'WHEN_REQUIRED' });
    return new LocalS3(server, endpoint, directory, admin);
  }

  async createBucket(bucket: string): Promise<void> {
    await this.admin.send(new CreateBucketCommand({ Bucket: bucket }));
  }

  async put(bucket: string, key: string, body: string | Uint8Array): Promise<void> {
    await this.admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }

  async remove(bucket: string, key: string): Promise<void> {
    await this.admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  /**
   * Writes objects straight into the server's folder, in its on-disk layout (`<bucket>/<key>._S3rver_object`
   * plus its MD5, which s3rver serves as the ETag): 20,000 PUTs through HTTP take ~40 s here, this
   * a second or two. What is then listed and read goes through the real S3 API as usual.
   */
  seed(bucket: string, objects: Iterable<[key: string, body: string | Buffer]>): void {
    for (const [key, body] of objects) {
      const file = path.join(this.directory, bucket, `${key}._S3rver_object`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, body);
      fs.writeFileSync(`${file}.md5`, createHash('md5').update(body).digest('hex'));
      fs.writeFileSync(path.join(this.directory, bucket, `${key}._S3rver_metadata.json`), '{"content-type":"application/octet-stream"}');
    }
  }

  /** Removes every object of a bucket. */
  async clear(bucket: string): Promise<void> {
    for (;;) {
      const page = await this.admin.send(new ListObjectsV2Command({ Bucket: bucket }));
      if (!page.Contents?.length) return;
      for (const object of page.Contents) await this.remove(bucket, object.Key!);
    }
  }

  /** Uploads every file below `folder` as `prefix` + its relative path, a few at a time. */
  async upload(bucket: string, folder: string, prefix: string): Promise<void> {
    const files = (fs.readdirSync(folder, { recursive: true }) as string[]).map((f) => f.split(path.sep).join('/')).filter((f) => fs.statSync(path.join(folder, f)).isFile());
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const file = files[next++]!;
        await this.put(bucket, prefix + file, fs.readFileSync(path.join(folder, file)));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  }

  async stop(): Promise<void> {
    this.admin.destroy();
    const exited = new Promise((resolve) => this.server.once('exit', resolve));
    this.server.stdin!.end();
    const killer = setTimeout(() => this.server.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
    fs.rmSync(this.directory, { recursive: true, force: true });
  }
}

/** What the proxy does to one request: pass it on, or answer itself. */
export type ProxyAnswer = { status: number; headers?: Record<string, string>; body?: string | Buffer } | undefined;

export interface SeenRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
}

/**
 * A loopback HTTP proxy in front of the local S3 server, as the tests' stand-in for what a
 * real service does and s3rver does not: refuse what an identity may not do, throttle, redirect
 * to another region, list objects with hostile keys. It records every request it sees.
 */
export class S3Proxy {
  readonly seen: SeenRequest[] = [];
  /** Decides per request; undefined passes it to the server. */
  intercept: (request: SeenRequest) => ProxyAnswer = () => undefined;
  /** Rewrites a passed-through answer's body (list pages only: answers of a GET ?list-type=2). */
  rewriteList: ((xml: string, request: SeenRequest) => string) | undefined;

  private constructor(private readonly server: http.Server, readonly endpoint: string) {}

  static async start(target: string): Promise<S3Proxy> {
    const upstream = new URL(target);
    // The handler needs the proxy, which needs the server: filled in once both exist.
    const holder: { proxy?: S3Proxy } = {};
    const server = http.createServer((request, response) => {
      const proxy = holder.proxy!;
      const seen = { method: request.method ?? 'GET', url: request.url ?? '/' };
      proxy.seen.push(seen);
      const answer = proxy.intercept(seen);
      if (answer) {
        response.writeHead(answer.status, { 'content-type': 'application/xml', ...answer.headers });
        response.end(answer.body ?? '');
        request.resume();
        return;
      }
      const isList = seen.method === 'GET' && /[?&]list-type=2/.test(seen.url);
      const forwarded = http.request({ host: upstream.hostname, port: upstream.port, method: seen.method, path: seen.url, headers: request.headers }, (upstreamResponse) => {
        if (!isList || !proxy.rewriteList) {
          response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
          upstreamResponse.pipe(response);
          return;
        }
        const chunks: Buffer[] = [];
        upstreamResponse.on('data', (chunk: Buffer) => chunks.push(chunk));
        upstreamResponse.on('end', () => {
          const body = proxy.rewriteList!(Buffer.concat(chunks).toString('utf8'), seen);
          const headers = { ...upstreamResponse.headers, 'content-length': String(Buffer.byteLength(body)) };
          response.writeHead(upstreamResponse.statusCode ?? 502, headers);
          response.end(body);
        });
      });
      forwarded.on('error', () => response.destroy());
      request.pipe(forwarded);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.proxy = new S3Proxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.proxy;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** An S3 error answer as the service writes it. */
export function s3Error(status: number, code: string, message: string, headers: Record<string, string> = {}): NonNullable<ProxyAnswer> {
  return { status, headers, body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>test</RequestId></Error>` };
}

/** The object key of a path-style request (`/bucket/key?…`), decoded; undefined for a bucket-level request. */
export function keyOfRequest(url: string, bucket: string): string | undefined {
  const pathname = url.split('?')[0]!;
  const prefix = `/${bucket}/`;
  return pathname.startsWith(prefix) && pathname.length > prefix.length ? decodeURIComponent(pathname.slice(prefix.length)) : undefined;
}
