import { describe, expect, it } from 'vitest';
import { runCli, tempFiles } from '../helpers/cli.js';

const VALID = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: worker }
spec: {}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: worker
spec:
  scaleTargetRef:
    name: worker
  triggers:
    - type: azure-queue
      authenticationRef:
        name: storage
      metadata:
        queueName: orders
---
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: storage
spec:
  secretTargetRef:
    - parameter: connection
      name: storage-secret
      key: connectionString
`;

const INVALID = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: worker
spec:
  scaleTargetRef:
    name: worker
  minReplicaCount: 5
  maxReplicaCount: 3
  triggers:
    - type: azure-queue
      metadata:
        queueLength: "five"
        connectionFromEnv: STORAGE
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {}
spec:
  scaleTargetRef:
    name: other
  advanced:
    scalingModifiers:
      formula: "queue_a + queue_b"
      target: "5"
  triggers:
    - type: rabbitmq
      name: queue_a
      metadata:
        queueName: a
        hostFromEnv: RABBIT
`;

describe('tide validate', () => {
  it('accepts valid objects, skips other kinds, exits 0 with nothing on stdout', async () => {
    const dir = tempFiles({ 'ok.yaml': VALID });
    const run = await runCli(['validate', 'ok.yaml'], dir);
    expect(run).toMatchObject({ code: 0, stdout: '' });
  });

  it('prints one line per problem with file, object and field path, and exits 1', async () => {
    const dir = tempFiles({ 'bad.yaml': INVALID });
    const run = await runCli(['validate', 'bad.yaml'], dir);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toContain('bad.yaml: ScaledObject/worker: spec.triggers[0].metadata.queueName: required (set metadata.queueName)');
    expect(lines.some((l) => l.startsWith('bad.yaml: ScaledObject/worker: spec.triggers[0].metadata.queueLength: ') && l.includes('"five"'))).toBe(true);
    expect(lines.some((l) => l.startsWith('bad.yaml: ScaledObject/worker: spec.minReplicaCount: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('bad.yaml: ScaledObject/<unnamed>: spec.advanced.scalingModifiers.formula: ') && l.includes('queue_b'))).toBe(true);
    expect(run.stderr).not.toContain('    at '); // no stack trace
  });

  it('reports YAML syntax errors as file:line:col', async () => {
    const dir = tempFiles({ 'broken.yaml': 'apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: [unclosed\n' });
    const run = await runCli(['validate', 'broken.yaml'], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^broken\.yaml:\d+:\d+: /m);
  });

  it('warns about an unknown trigger type with the nearest type, and still exits 0', async () => {
    const yaml = VALID.replace('type: azure-queue', 'type: azure-queu');
    const dir = tempFiles({ 'typo.yaml': yaml });
    const run = await runCli(['validate', 'typo.yaml'], dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('warning: typo.yaml: ScaledObject/worker: spec.triggers[0].type: unknown trigger type "azure-queu"; did you mean "azure-queue"?');
  });

  it('tells a KEDA scaler tide lacks from a typo', async () => {
    const dir = tempFiles({ 'sqs.yaml': VALID.replace('type: azure-queue', 'type: aws-sqs-queue') });
    const run = await runCli(['validate', 'sqs.yaml'], dir);
    expect(run.stderr).toContain('tide has no "aws-sqs-queue" scaler yet');
  });

  it('--output json prints one JSON object per problem', async () => {
    const dir = tempFiles({ 'bad.yaml': INVALID });
    const run = await runCli(['validate', 'bad.yaml', '--output', 'json'], dir);
    expect(run.code).toBe(1);
    const problems = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(problems.length).toBeGreaterThanOrEqual(4);
    expect(problems[0]).toMatchObject({ file: 'bad.yaml', kind: 'ScaledObject', severity: 'error' });
    expect(problems.every((p) => typeof p.line === 'number')).toBe(true);
  });

  it('never prints a secret from metadata', async () => {
    const secret = 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=c2VjcmV0LXNlY3JldA==';
    const yaml = VALID.replace('queueName: orders', `queueName: orders\n        queueLength: "x"\n        connection: "${secret}"`);
    const dir = tempFiles({ 's.yaml': yaml });
    const run = await runCli(['validate', 's.yaml', '-o', 'json'], dir);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).not.toContain('c2VjcmV0LXNlY3JldA==');
  });

  it.each([
    [['validate'], 2, 'name at least one file'],
    [['validate', 'x.yaml', '--bogus'], 2, "Unknown option '--bogus'"],
    [['validate', 'x.yaml', '--output', 'xml'], 2, '--output must be one of text, json'],
    [['validate', 'missing.yaml'], 1, 'missing.yaml: cannot read: no such file'],
  ])('%j exits %d', async (argv, code, message) => {
    const run = await runCli(argv, tempFiles({}));
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(message);
  });

  it('accepts every example ScaledObject shipped in examples/', async () => {
    const run = await runCli(['validate', 'examples/queue-burst/scaledobject.yaml', 'examples/steady-stream/scaledobject.yaml', 'examples/cron-window/scaledobject.yaml']);
    expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });
});
