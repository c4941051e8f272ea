// Which resources the server serves right now: built-ins plus the versions of established CRDs.
// Handlers look types up by URL (group/version/resource) and the garbage collector by kind.

import { builtinResourceTypes } from './builtin-resources.js';
import { type ResourceType, groupResource } from './types.js';

/** A served group with its versions, preferred first. */
export interface ServedGroup {
  name: string;
  versions: string[];
}

/** Mutable table of served resource types. */
export class ResourceRegistry {
  private readonly types: ResourceType[] = builtinResourceTypes();

  /** The type served at group/version/resource, if any. */
  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.resource === resource);
  }

  /** Any served version of a kind in a group (owner references name a kind, not a resource). */
  byKind(group: string, kind: string, version?: string): ResourceType | undefined {
    const all = this.types.filter((t) => t.group === group && t.kind === kind);
    return all.find((t) => t.version === version) ?? all[0];
  }

  /** All types sharing one storage (the versions of one CRD). */
  byGroupResource(gr: string): ResourceType[] {
    return this.types.filter((t) => groupResource(t) === gr);
  }

  /** Every served type. */
  all(): readonly ResourceType[] {
    return this.types;
  }

  /** Replaces the types of one CRD (empty list removes it). */
  setCrdTypes(crdName: string, types: ResourceType[]): void {
    for (let i = this.types.length - 1; i >= 0; i--) if (this.types[i]?.crd === crdName) this.types.splice(i, 1);
    this.types.push(...types);
  }

  /** Groups in discovery order: core first is handled by callers; built-ins before CRD groups. */
  groups(): ServedGroup[] {
    const out: ServedGroup[] = [];
    for (const t of this.types) {
      if (t.group === '') continue;
      let g = out.find((x) => x.name === t.group);
      if (!g) out.push((g = { name: t.group, versions: [] }));
      if (!g.versions.includes(t.version)) g.versions.push(t.version);
    }
    for (const g of out) g.versions.sort(compareKubeVersions);
    return out;
  }
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first (v2 > v1 > v1beta2 > v1beta1 > v1alpha1). */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [sa, ma, na] = parse(a);
  const [sb, mb, nb] = parse(b);
  return sb - sa || mb - ma || nb - na;
}
