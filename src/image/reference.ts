// Image references as Docker reads them: `[host[:port]/]path[:tag][@digest]`, where the first path
// component is a host only when it has a dot or a colon or is `localhost`; no host means Docker Hub
// (whose API lives at registry-1.docker.io, with `library/` for one-component names).
import { ImageInputError } from './errors.js';

export interface ImageReference {
  /** Registry host as written (`localhost:5000`, `docker.io`). */
  readonly registry: string;
  /** Repository path inside the registry (`library/node`, `hello`). */
  readonly repository: string;
  /** Tag, or undefined when only a digest was given. */
  readonly tag?: string;
  readonly digest?: string;
}

const DOCKER_HUB = 'docker.io';
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Parses an image reference; `what` names where it came from in the error. */
export function parseImageReference(text: string, what = 'image'): ImageReference {
  const trimmed = text.trim();
  const at = trimmed.indexOf('@');
  const digest = at >= 0 ? trimmed.slice(at + 1) : undefined;
  let rest = at >= 0 ? trimmed.slice(0, at) : trimmed;
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest)) throw new ImageInputError(`${what} "${text}": the digest must be sha256:<64 hex digits>`);
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw new ImageInputError(`${what} "${text}": "${tag}" is not a valid tag`);
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  if (parts.length === 0 || !parts.every((p) => PATH_COMPONENT.test(p))) {
    throw new ImageInputError(`${what} "${text}": the repository name must be lowercase letters, digits and separators (. _ -), e.g. localhost:5000/hello:latest`);
  }
  const base = { registry, repository: parts.join('/') };
  if (digest !== undefined) return tag === undefined ? { ...base, digest } : { ...base, tag, digest };
  return { ...base, tag: tag ?? 'latest' };
}

/** What to ask the registry for: the digest when pinned, else the tag. */
export function referenceSelector(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** The reference written back as text. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** Registries on the loopback interface are spoken to over plain HTTP, as Docker does. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(0, registry.indexOf(']') + 1) : (registry.split(':')[0] ?? '');
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Base URL of a registry's API. */
export function registryBaseUrl(registry: string, insecure: boolean): string {
  const host = registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
  return `${insecure || isLoopbackRegistry(registry) ? 'http' : 'https'}://${host}`;
}
