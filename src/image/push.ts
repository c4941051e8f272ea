// Pushing a built image: the base image's blobs (skipped when the target has them, mounted from the
// base repository on the same registry, else copied through the layer cache), tide's layers, the
// config and an OCI manifest under the tag. Blobs the registry already has are never sent again.
import { createHash } from 'node:crypto';
import type { BuiltLayer } from './app-layers.js';
import { ociLayerType, type BaseImage, type ImageConfig } from './base-image.js';
import type { LayerCache } from './layer-cache.js';
import type { ImageReference } from './reference.js';
import { MEDIA, type Descriptor, type RegistryClient } from './registry-client.js';

export interface PushSource {
  readonly client: RegistryClient;
  readonly ref: ImageReference;
  readonly image: BaseImage;
}

export interface PushCounts {
  uploaded: number;
  skipped: number;
  mounted: number;
}

async function baseBlob(source: PushSource, layer: Descriptor, cache: LayerCache): Promise<{ path: string }> {
  const cached = cache.cachedBlob(layer.digest);
  if (cached !== undefined) return { path: cached };
  const response = await source.client.getBlob(source.ref.repository, layer.digest);
  if (response.body === null) throw new Error(`blob ${layer.digest} has no body`);
  return { path: await cache.storeBlob(layer.digest, response.body) };
}

function tally(counts: PushCounts, result: 'exists' | 'mounted' | 'uploaded'): void {
  if (result === 'exists') counts.skipped += 1;
  else if (result === 'mounted') counts.mounted += 1;
  else counts.uploaded += 1;
}

/** Pushes base blobs, tide's layers, config and manifest; returns the manifest digest. */
export async function pushImage(target: RegistryClient, ref: ImageReference, base: PushSource, layers: readonly BuiltLayer[], config: ImageConfig, cache: LayerCache, log: (line: string) => void): Promise<{ digest: string; counts: PushCounts }> {
  const repo = ref.repository;
  const counts: PushCounts = { uploaded: 0, skipped: 0, mounted: 0 };
  const sameRegistry = base.client.registry === target.registry;
  for (const layer of base.image.layers) {
    const mountFrom = sameRegistry && base.ref.repository !== repo ? base.ref.repository : undefined;
    tally(counts, await target.pushBlob(repo, layer.digest, layer.size, () => baseBlob(base, layer, cache), mountFrom));
  }
  for (const layer of layers) {
    const result = await target.pushBlob(repo, layer.digest, layer.size, () => Promise.resolve({ path: layer.path }));
    log(`${layer.description}: ${layer.digest.slice(0, 19)} ${result === 'exists' ? 'already in the registry' : 'pushed'} (${layer.size} bytes)`);
    tally(counts, result);
  }
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
  tally(counts, await target.pushBlob(repo, configDigest, configBytes.length, () => Promise.resolve({ data: configBytes })));
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.ociConfig, digest: configDigest, size: configBytes.length },
    layers: [
      ...base.image.layers.map((l) => ({ ...l, mediaType: ociLayerType(l.mediaType) })),
      ...layers.map((l) => ({ mediaType: MEDIA.ociLayer, digest: l.digest, size: l.size })),
    ],
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  await target.putManifest(repo, ref.tag ?? ref.digest ?? 'latest', manifestBytes, MEDIA.ociManifest);
  return { digest: `sha256:${createHash('sha256').update(manifestBytes).digest('hex')}`, counts };
}
