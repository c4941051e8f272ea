import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadYaml, placeProblems } from '../../src/api/load.js';
import { validateObject } from '../../src/api/validate.js';

const VALID = join(import.meta.dirname, 'fixtures', 'valid');
const validFiles = readdirSync(VALID).filter((f) => f.endsWith('.yaml'));

function loadFixture(name: string) {
  return loadYaml(name, readFileSync(join(VALID, name), 'utf8'));
}

describe('KEDA documentation examples', () => {
  it('finds fixtures', () => {
    expect(validFiles.length).toBeGreaterThanOrEqual(8);
  });

  it.each(validFiles)('%s loads and validates with no errors', (file) => {
    const result = loadFixture(file);
    expect(result.problems).toEqual([]);
    expect(result.objects.length).toBeGreaterThan(0);
    for (const object of result.objects) {
      const errors = validateObject(object.value).filter((p) => p.severity === 'error');
      expect(errors, `${object.kind}/${object.name ?? ''}`).toEqual([]);
    }
  });

  it('skips the Secret and Deployment of a mixed file and keeps the document index', () => {
    const { objects } = loadFixture('secret-deployment-scaledobject.yaml');
    expect(objects.map((o) => [o.kind, o.name, o.namespace, o.document])).toEqual([['ScaledObject', 'rabbitmq-consumer', 'default', 2]]);
  });

  it('warns about the pruned pki_data of the Vault docs example and points at its line', () => {
    const { objects } = loadFixture('vault-pki.yaml');
    const ta = objects[0];
    expect(ta?.kind).toBe('TriggerAuthentication');
    if (!ta) return;
    const placed = placeProblems(ta, validateObject(ta.value));
    expect(placed).toEqual([
      expect.objectContaining({
        path: 'spec.hashiCorpVault.secrets[0].pki_data',
        severity: 'warning',
        message: 'unknown field "pki_data" (did you mean "pkiData"?): Kubernetes drops it',
        line: 19, // the line of `pki_data:` in the fixture
        col: 9,
      }),
    ]);
  });
});

describe('loadYaml', () => {
  it('skips empty documents and other kinds', () => {
    const text = '---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: eventing.keda.sh/v1alpha1\nkind: CloudEventSource\n';
    expect(loadYaml('a.yaml', text)).toEqual({ objects: [], problems: [] });
  });

  it('reports a YAML syntax error with 1-based line and column', () => {
    // Line 3 maps "kind" a second time: duplicate keys are errors in YAML.
    const text = 'apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nkind: ScaledJob\n';
    const { problems, objects } = loadYaml('dup.yaml', text);
    expect(objects).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ file: 'dup.yaml', document: 0, line: 3, col: 1, severity: 'error' })]);
    expect(problems[0]?.message).toMatch(/unique/);
  });

  it('reports a bad indentation error in the second document at its line', () => {
    const text = 'a: 1\n---\nb:\n  c: 1\n d: 2\n';
    const { problems } = loadYaml('indent.yaml', text);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ document: 1, line: 5 });
  });

  it('names the nearest kind for a misspelt keda.sh kind', () => {
    const { problems } = loadYaml('k.yaml', 'apiVersion: keda.sh/v1alpha1\nkind: ScaledObjekt\n');
    expect(problems).toEqual([
      expect.objectContaining({ path: 'kind', line: 2, col: 1, message: expect.stringContaining('did you mean ScaledObject?') as string }),
    ]);
  });

  it.each([
    ['keda.sh/v1beta1', 'is not supported; ScaledObject is served as keda.sh/v1alpha1'],
    ['keda.sh/v1', 'is not supported; ScaledObject is served as keda.sh/v1alpha1'],
    ['keda.k8s.io/v1alpha1', 'keda.k8s.io is the KEDA v1 API group; use keda.sh/v1alpha1'],
  ])('rejects apiVersion %s', (apiVersion, message) => {
    const { problems, objects } = loadYaml('v.yaml', `apiVersion: ${apiVersion}\nkind: ScaledObject\nmetadata: {name: x}\n`);
    expect(objects).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ path: 'apiVersion', line: 1, message: expect.stringContaining(message) as string })]);
  });

  it('requires apiVersion on a keda.sh kind', () => {
    const { problems } = loadYaml('v.yaml', 'kind: ScaledJob\n');
    expect(problems).toEqual([expect.objectContaining({ path: 'apiVersion', message: 'is required: keda.sh/v1alpha1' })]);
  });

  it('reads the items of a v1 List', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: keda.sh/v1alpha1\n  kind: TriggerAuthentication\n  metadata: {name: t}\n  spec: {}\n';
    const { objects } = loadYaml('list.yaml', text);
    expect(objects.map((o) => [o.kind, o.name])).toEqual([['TriggerAuthentication', 't']]);
    expect(objects[0]?.position('spec')).toEqual({ line: 7, col: 3 });
  });

  it('places a validation problem on the line of the field', () => {
    const text = [
      'apiVersion: keda.sh/v1alpha1', // 1
      'kind: ScaledObject', // 2
      'metadata:', // 3
      '  name: q', // 4
      'spec:', // 5
      '  scaleTargetRef: {name: app}', // 6
      '  triggers:', // 7
      '  - type: azure-queue', // 8
      '    metadata:', // 9
      '      queueName: orders', // 10
      '      queueLength: 5', // 11
    ].join('\n');
    const { objects } = loadYaml('q.yaml', text);
    const object = objects[0];
    if (!object) throw new Error('no object');
    expect(placeProblems(object, validateObject(object.value))).toEqual([
      { path: 'spec.triggers[0].metadata.queueLength', message: 'must be a string (quote it: "5")', severity: 'error', file: 'q.yaml', document: 0, line: 11, col: 7 },
    ]);
  });
});
