// A client for the registry HTTP API v2 (the OCI distribution spec): manifests (OCI and Docker media
// types, indexes resolved to one platform), blobs (HEAD, GET, monolithic or chunked upload, cross-repo
// mount) and the auth challenges of auth.ts. Errors name the registry and what it said.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basicAuthorization, fetchToken, parseChallenge, type Credentials } from './auth.js';
import { RegistryError } from './errors.js';
import { registryBaseUrl } from './reference.js';

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  [other: string]: unknown;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  [other: string]: unknown;
}

export type BlobSource = { readonly data: Uint8Array } | { readonly path: string };

export interface RegistryClientOptions {
  readonly insecure?: boolean;
  readonly credentials?: Credentials;
  /** Uploads larger than this go in PATCH chunks of this size; smaller ones in one PUT. */
  readonly chunkSize?: number;
}

interface RequestInit2 {
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array;
  readonly scopes: readonly string[];
}

const DEFAULT_CHUNK = 16 * 1024 * 1024;

async function describeFailure(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    const first = body.errors?.[0];
    if (first) return `${first.code ?? ''} ${first.message ?? ''}`.trim();
  } catch {
    // Not the registry's JSON error shape: show the start of the text.
  }
  return text.slice(0, 200).trim();
}

export class RegistryClient {
  readonly baseUrl: string;
  private readonly authorizations = new Map<string, string>();
  private readonly chunkSize: number;

  constructor(readonly registry: string, private readonly options: RegistryClientOptions = {}) {
    this.baseUrl = registryBaseUrl(registry, options.insecure ?? false);
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  }

  /** One request, answering an auth challenge once. */
  private async request(method: string, pathOrUrl: string, init: RequestInit2): Promise<Response> {
    const url = pathOrUrl.startsWith('/') ? `${this.baseUrl}${pathOrUrl}` : pathOrUrl;
    const key = [...init.scopes].sort().join(' ');
    const send = async (): Promise<Response> => {
      const authorization = this.authorizations.get(key);
      const headers = { ...init.headers, ...(authorization !== undefined ? { authorization } : {}) };
      try {
        return await fetch(url, { method, headers, ...(init.body !== undefined ? { body: init.body } : {}) });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new RegistryError(`cannot reach registry ${this.registry} at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
      }
    };
    const first = await send();
    if (first.status !== 401) return this.checkAuth(first);
    await first.body?.cancel();
    const header = first.headers.get('www-authenticate');
    if (header === null) throw new RegistryError(`registry ${this.registry} answered 401 without saying how to authenticate`, 401);
    // Also when a cached token expired during a long push: ask for a fresh one, once.
    const previous = this.authorizations.get(key);
    const fresh = await this.authorize(header, init.scopes);
    if (fresh === previous) return this.checkAuth(first);
    this.authorizations.set(key, fresh);
    return this.checkAuth(await send());
  }

  private async authorize(header: string, scopes: readonly string[]): Promise<string> {
    const challenge = parseChallenge(header);
    const credentials = this.options.credentials;
    if (challenge.scheme === 'basic') {
      if (credentials === undefined) throw new RegistryError(`registry ${this.registry} needs a username and password (docker login ${this.registry}, or the registry username/password options)`, 401);
      return basicAuthorization(credentials);
    }
    if (challenge.scheme === 'bearer') return `Bearer ${await fetchToken(challenge, scopes, credentials, this.registry)}`;
    throw new RegistryError(`registry ${this.registry} asks for "${challenge.scheme}" authentication, which tide does not speak (Basic and Bearer only)`, 401);
  }

  private checkAuth(response: Response): Response {
    if (response.status === 401 || response.status === 403) {
      const who = this.options.credentials ? `user "${this.options.credentials.username}"` : 'anonymous access';
      throw new RegistryError(`registry ${this.registry} refused ${who} (HTTP ${response.status}); check the credentials (docker login ${this.registry}, or the registry username/password options)`, response.status);
    }
    return response;
  }

  private async fail(response: Response, what: string): Promise<never> {
    throw new RegistryError(`registry ${this.registry}: ${what} failed with HTTP ${response.status}: ${await describeFailure(response)}`, response.status);
  }

  /** A manifest or index by tag or digest, with its digest and raw bytes. */
  async getManifest(repository: string, reference: string): Promise<{ mediaType: string; digest: string; body: Buffer }> {
    const accept = [MEDIA.ociIndex, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.dockerManifest].join(', ');
    const response = await this.request('GET', `/v2/${repository}/manifests/${reference}`, { headers: { accept }, scopes: [`repository:${repository}:pull`] });
    if (response.status === 404) throw new RegistryError(`registry ${this.registry} has no image ${repository}:${reference}`, 404);
    if (!response.ok) await this.fail(response, `reading manifest ${repository}:${reference}`);
    const body = Buffer.from(await response.arrayBuffer());
    const declared = (JSON.parse(body.toString('utf8')) as { mediaType?: string }).mediaType;
    const mediaType = declared ?? response.headers.get('content-type')?.split(';')[0] ?? MEDIA.ociManifest;
    return { mediaType, digest: `sha256:${createHash('sha256').update(body).digest('hex')}`, body };
  }

  /** A blob's content (redirects to storage are followed). */
  async getBlob(repository: string, digest: string): Promise<Response> {
    const response = await this.request('GET', `/v2/${repository}/blobs/${digest}`, { scopes: [`repository:${repository}:pull`] });
    if (!response.ok) await this.fail(response, `reading blob ${digest} of ${repository}`);
    return response;
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const response = await this.request('HEAD', `/v2/${repository}/blobs/${digest}`, { scopes: [`repository:${repository}:pull,push`] });
    if (response.status === 404) return false;
    if (!response.ok) await this.fail(response, `checking blob ${digest} of ${repository}`);
    return true;
  }

  /**
   * Uploads a blob unless the repository has it; `mountFrom` names a repository of the same registry
   * that has it, so the registry can link it instead of receiving the bytes again.
   */
  async pushBlob(repository: string, digest: string, size: number, getSource: () => Promise<BlobSource>, mountFrom?: string): Promise<'exists' | 'mounted' | 'uploaded'> {
    if (await this.hasBlob(repository, digest)) return 'exists';
    const scopes = [`repository:${repository}:pull,push`, ...(mountFrom !== undefined ? [`repository:${mountFrom}:pull`] : [])];
    const query = mountFrom !== undefined ? `?mount=${digest}&from=${encodeURIComponent(mountFrom)}` : '';
    const start = await this.request('POST', `/v2/${repository}/blobs/uploads/${query}`, { scopes, headers: { 'content-length': '0' } });
    if (start.status === 201 && mountFrom !== undefined) return 'mounted';
    if (start.status !== 202) await this.fail(start, `starting the upload of ${digest} to ${repository}`);
    let location = this.location(start);
    const source = await getSource();
    if (size > this.chunkSize) {
      for (let offset = 0; offset < size; offset += this.chunkSize) {
        const chunk = await readRange(source, offset, Math.min(this.chunkSize, size - offset));
        const headers = { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + chunk.length - 1}`, 'content-length': String(chunk.length) };
        const patch = await this.request('PATCH', location, { scopes, headers, body: chunk });
        if (patch.status !== 202) await this.fail(patch, `uploading ${digest} to ${repository} (bytes ${offset}–${offset + chunk.length - 1})`);
        location = this.location(patch);
      }
      return this.finishUpload(location, digest, repository, scopes, new Uint8Array());
    }
    return this.finishUpload(location, digest, repository, scopes, await readRange(source, 0, size));
  }

  private async finishUpload(location: string, digest: string, repository: string, scopes: readonly string[], body: Uint8Array): Promise<'uploaded'> {
    const url = `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
    const put = await this.request('PUT', url, { scopes, headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) }, body });
    if (put.status !== 201) await this.fail(put, `completing the upload of ${digest} to ${repository}`);
    await put.body?.cancel();
    return 'uploaded';
  }

  private location(response: Response): string {
    const location = response.headers.get('location');
    if (location === null) throw new RegistryError(`registry ${this.registry} started an upload without a Location header`);
    void response.body?.cancel();
    return new URL(location, this.baseUrl).toString();
  }

  /** Pushes a manifest under `reference` (tag); returns its digest. */
  async putManifest(repository: string, reference: string, body: Uint8Array, mediaType: string): Promise<void> {
    const response = await this.request('PUT', `/v2/${repository}/manifests/${reference}`, { scopes: [`repository:${repository}:pull,push`], headers: { 'content-type': mediaType }, body });
    if (response.status !== 201) await this.fail(response, `pushing manifest ${repository}:${reference}`);
    await response.body?.cancel();
  }
}

async function readRange(source: BlobSource, offset: number, length: number): Promise<Uint8Array> {
  if ('data' in source) return source.data.subarray(offset, offset + length);
  const handle = await open(source.path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    if (bytesRead !== length) throw new Error(`${source.path} is shorter than expected`);
    return buffer;
  } finally {
    await handle.close();
  }
}
