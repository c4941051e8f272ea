// Shapes the fake API server stores and serves: unstructured objects with typed metadata, and the
// description of one served resource (what discovery lists and what the handlers obey).

/** A JSON value as it travels over the wire. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** metadata.ownerReferences[] entry. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
  /** As JSON allows (and so that the fake's objects pass where the client's KubeObject is expected). */
  [key: string]: unknown;
}

/** The metadata fields the server reads or writes itself. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
  [key: string]: unknown;
}

/** Any Kubernetes object; everything but metadata stays unstructured. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Where a scale subresource finds replicas in its parent (CRD `subresources.scale`). */
export interface ScaleSpec {
  specReplicasPath: string;
  statusReplicasPath: string;
  /** Path of a string selector in the parent; built-in workloads derive it from spec.selector instead. */
  labelSelectorPath?: string;
}

/** One printer column (CRD additionalPrinterColumns shape). */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  format?: string;
  description?: string;
  priority?: number;
}

/** One resource as served at one group/version. */
export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower-case: the URL segment. */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: { status: boolean; scale?: ScaleSpec };
  /** Whether metadata.generation is kept (Pods, Secrets, ConfigMaps and the like have none). */
  generation: boolean;
  /** PUT without metadata.resourceVersion is allowed (false for custom resources). */
  allowUnconditionalUpdate: boolean;
  /** DELETE answers with the object rather than a Success Status. */
  returnDeletedObject: boolean;
  /** What an unset propagationPolicy means (batch/v1 Jobs still orphan their pods). */
  defaultPropagation: 'Background' | 'Orphan';
  /** Extra field selector labels besides metadata.name and metadata.namespace. */
  fieldLabels: string[];
  printerColumns: PrinterColumn[];
  /** Set for custom resources: the CRD's name. */
  crd?: string;
  /** The CRD version's openAPIV3Schema, for pruning and defaults. */
  schema?: Json;
}

/** The storage key of a resource: "deployments.apps", "pods". */
export function groupResource(t: Pick<ResourceType, 'group' | 'resource'>): string {
  return t.group === '' ? t.resource : `${t.resource}.${t.group}`;
}

/** "apps/v1" or "v1". */
export function apiVersionOf(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

/** Splits "apps/v1" into group and version ("v1" → core). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Narrows an unknown JSON value to a plain object. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
