// Minimal OpenAPI documents, enough for kubectl: /openapi/v3 (the index of group-versions) and one
// document per group-version whose operations carry x-kubernetes-group-version-kind and the
// fieldValidation/fieldManager/dryRun query parameters, so kubectl's field-validation check finds
// server-side validation and skips client-side schema validation; /openapi/v2 as JSON, or as a
// minimal gnostic protobuf Document when asked for protobuf (kubectl's default), which parses and holds
// no schemas, so client-side validation of any kind is skipped rather than failing.

import { createHash } from 'node:crypto';
import type { FakeCluster } from './cluster.js';
import { KUBE_VERSION } from './discovery.js';
import { type ResourceType } from './types.js';

type Doc = Record<string, unknown>;

const INFO = { title: 'Kubernetes', version: `v${KUBE_VERSION.major}.${KUBE_VERSION.minor}.0` };

/** "api/v1" or "apis/apps/v1": the index key and URL suffix of a group-version. */
function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** A query parameter in v3 (schema) or v2 (type) form. */
function param(name: string, v3: boolean, type = 'string'): Doc {
  return v3 ? { name, in: 'query', schema: { type, uniqueItems: true } } : { name, in: 'query', type, uniqueItems: true };
}

/** One operation with the GVK extension kubectl matches on. */
function operation(t: ResourceType, verb: string, action: string, v3: boolean, params: string[], subresource = ''): Doc {
  const kind = subresource === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : { group: t.group, version: t.version, kind: t.kind };
  const suffix = subresource.charAt(0).toUpperCase() + subresource.slice(1);
  return {
    operationId: `${verb}${t.namespaced ? 'Namespaced' : ''}${t.kind}${suffix}`,
    parameters: params.map((p) => param(p, v3, p === 'force' ? 'boolean' : 'string')),
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': kind,
  };
}

const WRITE = ['dryRun', 'fieldManager', 'fieldValidation', 'pretty'];

/** The paths of one resource: collection, item, and its subresources. */
function resourcePaths(t: ResourceType, v3: boolean): Doc {
  const base = `/${gvPath(t.group, t.version)}/${t.namespaced ? 'namespaces/{namespace}/' : ''}${t.resource}`;
  const out: Doc = {
    [base]: { get: operation(t, 'list', 'list', v3, ['labelSelector', 'fieldSelector', 'limit', 'continue', 'watch']), post: operation(t, 'create', 'post', v3, WRITE) },
    [`${base}/{name}`]: {
      get: operation(t, 'read', 'get', v3, ['pretty']),
      put: operation(t, 'replace', 'put', v3, WRITE),
      patch: operation(t, 'patch', 'patch', v3, [...WRITE, 'force']),
      delete: operation(t, 'delete', 'delete', v3, ['dryRun', 'propagationPolicy']),
    },
  };
  for (const sub of ['status', 'scale'] as const) {
    if (sub === 'status' ? !t.subresources.status : t.subresources.scale === undefined) continue;
    out[`${base}/{name}/${sub}`] = {
      get: operation(t, 'read', 'get', v3, ['pretty'], sub),
      put: operation(t, 'replace', 'put', v3, WRITE, sub),
      patch: operation(t, 'patch', 'patch', v3, [...WRITE, 'force'], sub),
    };
  }
  return out;
}

/** The schema component of a kind: a CRD's own schema, else an open object. */
function schemaOf(t: ResourceType): Doc {
  const own = typeof t.schema === 'object' && t.schema !== null && !Array.isArray(t.schema) ? t.schema : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return { ...own, 'x-kubernetes-group-version-kind': [{ group: t.group, version: t.version, kind: t.kind }] };
}

/** Name of a schema component, reversed-domain like the apiserver's (io.k8s.api.apps.v1.Deployment). */
function componentName(t: ResourceType): string {
  const group = t.group === '' ? 'core' : t.group.split('.').reverse().join('.');
  return `${group}.${t.version}.${t.kind}`;
}

/** The types served at one group-version. */
function typesAt(cluster: FakeCluster, group: string, version: string): ResourceType[] {
  return cluster.registry.all().filter((t) => t.group === group && t.version === version);
}

/** The OpenAPI v3 document of a group-version ("api/v1", "apis/apps/v1"), or undefined. */
export function openApiV3Document(cluster: FakeCluster, gv: string): Doc | undefined {
  const segs = gv.split('/');
  const [group, version] = segs[0] === 'api' && segs.length === 2 ? ['', segs[1] ?? ''] : segs[0] === 'apis' && segs.length === 3 ? [segs[1] ?? '', segs[2] ?? ''] : ['', ''];
  if (version === '') return undefined;
  const types = typesAt(cluster, group, version);
  if (types.length === 0) return undefined;
  const paths = Object.assign({}, ...types.map((t) => resourcePaths(t, true))) as Doc;
  const schemas = Object.fromEntries(types.map((t) => [componentName(t), schemaOf(t)]));
  return { openapi: '3.0.0', info: INFO, paths, components: { schemas } };
}

/** Content hash of a document, as the index advertises it for cache busting. */
function hashOf(doc: Doc): string {
  return createHash('sha256').update(JSON.stringify(doc)).digest('hex').toUpperCase();
}

/** /openapi/v3: every served group-version with its URL. */
export function openApiV3Index(cluster: FakeCluster): Doc {
  const gvs = new Set(cluster.registry.all().map((t) => gvPath(t.group, t.version)));
  const paths: Doc = {};
  for (const gv of [...gvs].sort()) {
    const doc = openApiV3Document(cluster, gv);
    if (doc !== undefined) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${hashOf(doc)}` };
  }
  return { paths };
}

/** /openapi/v2 as JSON: every path with the same query parameters, and open definitions. */
export function openApiV2Json(cluster: FakeCluster): Doc {
  const types = cluster.registry.all();
  const paths = Object.assign({}, ...types.map((t) => resourcePaths(t, false))) as Doc;
  const definitions = Object.fromEntries(types.map((t) => [componentName(t), { type: 'object', 'x-kubernetes-group-version-kind': [{ group: t.group, version: t.version, kind: t.kind }] }]));
  return { swagger: '2.0', info: INFO, paths, definitions };
}

/** A protobuf length-delimited string field. */
function pbString(field: number, text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([(field << 3) | 2, bytes.length]), bytes]);
}

/** gnostic openapi_v2.Document { swagger: "2.0", info: { title, version } } in protobuf. */
export function openApiV2Protobuf(): Buffer {
  const info = Buffer.concat([pbString(1, INFO.title), pbString(2, INFO.version)]);
  return Buffer.concat([pbString(1, '2.0'), Buffer.from([(2 << 3) | 2, info.length]), info]);
}
