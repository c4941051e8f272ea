// Image builds for `tide kubernetes deploy`: Docker when an engine answers, else an OCI image built
// from a registry base image and pushed through the registry HTTP API (docs/image-build.md).
export { buildAndPushAppImage, type BuildAndPushOptions, type BuildResult } from './build.js';
export { buildAndPushTideImage, type TideImageOptions } from './tide-image.js';
export { ImageInputError, RegistryError } from './errors.js';
export { parseImageReference, formatReference, type ImageReference } from './reference.js';
export { RegistryClient, MEDIA, type Descriptor, type ImageManifest } from './registry-client.js';
export { tarStream, type TarEntry } from './tar.js';
