import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { crdFileName, crdYaml, customResourceDefinition, PRINTER_COLUMNS } from '../../src/api/crds.js';
import { KEDA_KINDS, type KedaKind } from '../../src/api/kinds.js';

const DIRECTORY = join(import.meta.dirname, '..', '..', 'deploy', 'crds');

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => value as Json;

function version(kind: KedaKind): Json {
  const spec = obj(customResourceDefinition(kind).spec);
  return obj((spec.versions as unknown[])[0]);
}

/** Every schema node of a JSON schema tree, with its path. */
function* nodes(schema: Json, path = ''): Generator<[string, Json]> {
  yield [path, schema];
  for (const [key, child] of Object.entries(obj(schema.properties ?? {}))) yield* nodes(obj(child), `${path}.${key}`);
  if (schema.items !== undefined) yield* nodes(obj(schema.items), `${path}[]`);
  if (typeof schema.additionalProperties === 'object') yield* nodes(obj(schema.additionalProperties), `${path}{}`);
}

describe('deploy/crds', () => {
  it.each(KEDA_KINDS)('%s file matches the model (run npm run crds when this fails)', (kind) => {
    const onDisk = readFileSync(join(DIRECTORY, crdFileName(kind)), 'utf8');
    expect(onDisk, 'deploy/crds is stale: run npm run crds').toBe(crdYaml(kind));
  });

  it.each<[KedaKind, string, string, string[], string]>([
    ['ScaledObject', 'scaledobjects.keda.sh', 'scaledobject', ['so'], 'Namespaced'],
    ['ScaledJob', 'scaledjobs.keda.sh', 'scaledjob', ['sj'], 'Namespaced'],
    ['TriggerAuthentication', 'triggerauthentications.keda.sh', 'triggerauthentication', ['ta', 'triggerauth'], 'Namespaced'],
    ['ClusterTriggerAuthentication', 'clustertriggerauthentications.keda.sh', 'clustertriggerauthentication', ['cta', 'clustertriggerauth'], 'Cluster'],
  ])('%s: names and scope', (kind, name, singular, shortNames, scope) => {
    const crd = parse(crdYaml(kind)) as Json;
    expect(obj(crd.metadata).name).toBe(name);
    const spec = obj(crd.spec);
    expect(spec.group).toBe('keda.sh');
    expect(spec.scope).toBe(scope);
    expect(obj(spec.names)).toMatchObject({ kind, singular, shortNames });
    expect(version(kind)).toMatchObject({ name: 'v1alpha1', served: true, storage: true, subresources: { status: {} } });
    expect(obj(version(kind).subresources).scale).toBeUndefined();
  });

  it('ScaledObject printer columns follow KEDA', () => {
    expect(PRINTER_COLUMNS.ScaledObject.map((c) => c.name)).toEqual(['ScaleTargetKind', 'ScaleTargetName', 'Min', 'Max', 'Ready', 'Active', 'Fallback', 'Paused', 'Triggers', 'Authentications', 'Age']);
    expect(PRINTER_COLUMNS.ScaledObject[4]).toEqual({ name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' });
    expect(PRINTER_COLUMNS.ScaledJob.map((c) => c.name)).toEqual(['Min', 'Max', 'Ready', 'Active', 'Paused', 'Triggers', 'Authentications', 'Age']);
    expect(PRINTER_COLUMNS.TriggerAuthentication.filter((c) => c.priority === 1).map((c) => c.jsonPath)).toEqual(['.status.scaledobjects', '.status.scaledjobs']);
  });

  it.each(KEDA_KINDS)('%s schema is structural', (kind) => {
    const schema = obj(obj(version(kind).schema).openAPIV3Schema);
    for (const [path, node] of nodes(schema)) {
      expect(node.$ref, path).toBeUndefined();
      expect(node.$schema, path).toBeUndefined();
      expect(node.additionalProperties === false, path).toBe(false);
      // anyOf is allowed only for int-or-string.
      if (node.anyOf !== undefined) expect(node['x-kubernetes-int-or-string'], path).toBe(true);
      else expect(typeof node.type === 'string' || node['x-kubernetes-preserve-unknown-fields'] === true, `${path} has a type`).toBe(true);
      if (node.type === 'integer') expect(['int32', 'int64'], path).toContain(node.format);
    }
  });

  it('ScaledObject spec carries the min ≤ max CEL rule, int32 bounds and the required fields', () => {
    const spec = obj(obj(obj(obj(version('ScaledObject').schema).openAPIV3Schema).properties).spec);
    expect(spec.required).toEqual(['scaleTargetRef', 'triggers']);
    expect(spec['x-kubernetes-validations']).toEqual([
      { rule: '!has(self.minReplicaCount) || self.minReplicaCount <= (has(self.maxReplicaCount) ? self.maxReplicaCount : 100)', message: 'minReplicaCount must be less than or equal to maxReplicaCount' },
    ]);
    expect(obj(spec.properties).pollingInterval).toEqual({ type: 'integer', minimum: 1, format: 'int32' });
    const fallback = obj(obj(spec.properties).fallback);
    expect(obj(obj(fallback.properties).behavior).default).toBe('static');
  });

  it('ScaledJob jobTargetRef keeps unknown fields', () => {
    const spec = obj(obj(obj(obj(version('ScaledJob').schema).openAPIV3Schema).properties).spec);
    expect(obj(obj(spec.properties).jobTargetRef)).toMatchObject({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, required: ['template'] });
  });
});
