// The base image of a build: its manifest (a multi-platform index resolved to one platform, linux/amd64
// by default), its config, and where its layer blobs come from. `FROM scratch` is an empty image.
import { ImageInputError, RegistryError } from './errors.js';
import { formatReference, referenceSelector, type ImageReference } from './reference.js';
import { MEDIA, type Descriptor, type ImageManifest, type RegistryClient } from './registry-client.js';
import type { RuntimeConfig } from './build-plan.js';

/** An image config (OCI / Docker): runtime config plus rootfs, history and platform. */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  created?: string;
  config?: RuntimeConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: Record<string, unknown>[];
  [other: string]: unknown;
}

export interface BaseImage {
  readonly layers: readonly Descriptor[];
  readonly config: ImageConfig;
}

const INDEX_TYPES: readonly string[] = [MEDIA.ociIndex, MEDIA.dockerList];
const MANIFEST_TYPES: readonly string[] = [MEDIA.ociManifest, MEDIA.dockerManifest];

function pickPlatform(index: { manifests?: Descriptor[] }, platform: string, what: string): Descriptor {
  const [os, architecture, variant] = platform.split('/');
  const found = (index.manifests ?? []).find((m) => m.platform?.os === os && m.platform?.architecture === architecture && (variant === undefined || m.platform?.variant === variant));
  if (found) return found;
  const offered = (index.manifests ?? []).map((m) => [m.platform?.os, m.platform?.architecture, m.platform?.variant].filter(Boolean).join('/')).join(', ');
  throw new ImageInputError(`base image ${what} has no ${platform} variant (it has: ${offered || 'none'})`);
}

/** Reads the base image's manifest and config from its registry. */
export async function fetchBaseImage(client: RegistryClient, ref: ImageReference, platform: string): Promise<BaseImage> {
  const what = formatReference(ref);
  let { mediaType, body } = await client.getManifest(ref.repository, referenceSelector(ref));
  if (INDEX_TYPES.includes(mediaType)) {
    const chosen = pickPlatform(JSON.parse(body.toString('utf8')) as { manifests?: Descriptor[] }, platform, what);
    ({ mediaType, body } = await client.getManifest(ref.repository, chosen.digest));
  }
  if (!MANIFEST_TYPES.includes(mediaType)) throw new RegistryError(`base image ${what} has a manifest of type ${mediaType}, which tide cannot build on (OCI or Docker v2 schema 2 only)`);
  const manifest = JSON.parse(body.toString('utf8')) as ImageManifest;
  const response = await client.getBlob(ref.repository, manifest.config.digest);
  const config = (await response.json()) as ImageConfig;
  if (config.rootfs.diff_ids.length !== manifest.layers.length) throw new RegistryError(`base image ${what}: its config lists ${config.rootfs.diff_ids.length} layers but its manifest ${manifest.layers.length}`);
  return { layers: manifest.layers, config };
}

/** The empty base of `FROM scratch`. */
export function scratchImage(platform: string): BaseImage {
  const [os, architecture] = platform.split('/');
  return { layers: [], config: { architecture: architecture ?? 'amd64', os: os ?? 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] } };
}

/** The OCI media type for a base layer (Docker's types name the same bytes). */
export function ociLayerType(mediaType: string): string {
  if (mediaType === 'application/vnd.docker.image.rootfs.diff.tar.gzip') return MEDIA.ociLayer;
  if (mediaType === 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip') return 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';
  return mediaType;
}
