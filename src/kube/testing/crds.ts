// CustomResourceDefinitions: read from YAML files, validated enough to refuse a broken one, turned
// into served resource types, and given the status a real apiserver writes (Established, NamesAccepted).

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ALL_VERBS } from './builtin-resources.js';
import { invalid, type StatusCause } from './status.js';
import { type Json, type KubeObject, type PrinterColumn, type ResourceType, isRecord } from './types.js';

/** The repository's generated KEDA CRDs (src/kube/testing and dist/kube/testing both sit three levels down). */
export const KEDA_CRD_DIR = new URL('../../../deploy/crds/', import.meta.url);

/** Every CustomResourceDefinition document in the *.yaml / *.yml files of a directory. */
export function loadCrdDir(dir: string | URL): KubeObject[] {
  const path = typeof dir === 'string' ? dir : dir.pathname;
  const files = readdirSync(path).filter((f) => /\.ya?ml$/.test(f)).sort();
  const out: KubeObject[] = [];
  for (const f of files) {
    for (const doc of parseAllDocuments(readFileSync(join(path, f), 'utf8'))) {
      const v: unknown = doc.toJS();
      if (isRecord(v) && v.kind === 'CustomResourceDefinition' && isRecord(v.metadata)) out.push(v as KubeObject);
    }
  }
  return out;
}

const CRD_TYPE = { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' };

/** Reads a string at a path of nested records. */
function str(v: unknown, ...path: string[]): string | undefined {
  let cur = v;
  for (const p of path) cur = isRecord(cur) ? cur[p] : undefined;
  return typeof cur === 'string' ? cur : undefined;
}

/** Checks the fields the server needs and that the name is `<plural>.<group>`, as the apiserver insists. */
export function validateCrd(crd: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = crd.spec;
  const group = str(spec, 'group');
  const plural = str(spec, 'names', 'plural');
  if (group === undefined || group === '') causes.push({ field: 'spec.group', message: 'Required value' });
  if (plural === undefined || plural === '') causes.push({ field: 'spec.names.plural', message: 'Required value' });
  if (str(spec, 'names', 'kind') === undefined) causes.push({ field: 'spec.names.kind', message: 'Required value' });
  const scope = str(spec, 'scope');
  if (scope !== 'Namespaced' && scope !== 'Cluster') causes.push({ field: 'spec.scope', message: `Unsupported value: "${scope ?? ''}": supported values: "Cluster", "Namespaced"` });
  if (group !== undefined && plural !== undefined && crd.metadata.name !== `${plural}.${group}`) {
    causes.push({ field: 'metadata.name', message: `Invalid value: "${crd.metadata.name ?? ''}": must be spec.names.plural+"."+spec.group` });
  }
  const versions = isRecord(spec) && Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [];
  if (versions.length === 0) causes.push({ field: 'spec.versions', message: 'Invalid value: must have exactly one version marked as storage version' });
  else if (versions.filter((v) => v.storage === true).length !== 1) causes.push({ field: 'spec.versions', message: 'Invalid value: must have exactly one version marked as storage version' });
  return causes;
}

/** Throws 422 Invalid when the CRD is unusable. */
export function assertValidCrd(crd: KubeObject): void {
  const causes = validateCrd(crd);
  if (causes.length > 0) throw invalid(CRD_TYPE, crd.metadata.name ?? '', causes);
}

/** The served resource types of a CRD, one per served version. */
export function crdResourceTypes(crd: KubeObject): ResourceType[] {
  const spec = isRecord(crd.spec) ? crd.spec : {};
  const names = isRecord(spec.names) ? spec.names : {};
  const kind = String(names.kind);
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [];
  return versions.filter((v) => v.served === true).map((v) => {
    const sub = isRecord(v.subresources) ? v.subresources : {};
    const t: ResourceType = {
      group: String(spec.group),
      version: String(v.name),
      resource: String(names.plural),
      singular: typeof names.singular === 'string' ? names.singular : kind.toLowerCase(),
      kind,
      listKind: typeof names.listKind === 'string' ? names.listKind : `${kind}List`,
      namespaced: spec.scope !== 'Cluster',
      shortNames: strings(names.shortNames),
      categories: strings(names.categories),
      verbs: ALL_VERBS,
      subresources: { status: isRecord(sub.status) },
      generation: true,
      allowUnconditionalUpdate: false,
      returnDeletedObject: true,
      defaultPropagation: 'Background',
      fieldLabels: [],
      printerColumns: Array.isArray(v.additionalPrinterColumns) ? (v.additionalPrinterColumns.filter(isRecord) as unknown as PrinterColumn[]) : [],
      crd: crd.metadata.name ?? '',
    };
    if (isRecord(v.schema) && isRecord(v.schema.openAPIV3Schema)) t.schema = v.schema.openAPIV3Schema as Json;
    if (isRecord(sub.scale)) {
      const s = sub.scale;
      t.subresources.scale = { specReplicasPath: String(s.specReplicasPath), statusReplicasPath: String(s.statusReplicasPath) };
      if (typeof s.labelSelectorPath === 'string') t.subresources.scale.labelSelectorPath = s.labelSelectorPath;
    }
    return t;
  });
}

/** The status the apiextensions controllers write once names are accepted and the CRD is served. */
export function establishedStatus(crd: KubeObject, now: string): Record<string, unknown> {
  const spec = isRecord(crd.spec) ? crd.spec : {};
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [];
  const cond = (type: string, reason: string, message: string): Record<string, unknown> => ({ type, status: 'True', lastTransitionTime: now, reason, message });
  return {
    acceptedNames: spec.names,
    conditions: [cond('NamesAccepted', 'NoConflicts', 'no conflicts found'), cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted')],
    storedVersions: versions.filter((v) => v.storage === true).map((v) => v.name),
  };
}
