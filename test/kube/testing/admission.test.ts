// The fake API server calls validating admission webhooks as kube-apiserver does: a real HTTPS
// webhook (its certificate checked against caBundle and <svc>.<ns>.svc) behind a Service and
// Endpoints, AdmissionReviews recorded, answers chosen per test.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { caBundle, issueBundle, serviceDnsNames, type CertificateBundle } from '../../../src/kube/certificates/issue.js';
import { startFakeApiServer, type FakeApiServer, type KubeObject } from '../../../src/kube/testing/index.js';

type Review = { apiVersion: string; kind: string; request: Record<string, unknown> & { uid: string; object: KubeObject | null; oldObject: KubeObject | null } };
type Answer = (review: Review, path: string) => Record<string, unknown> | 'hang';

let api: FakeApiServer;
let certs: CertificateBundle;
let hook: Server;
let reviews: { path: string; review: Review }[] = [];
let answer: Answer = () => ({ allowed: true });

const allow: Answer = () => ({ allowed: true });

function respond(req: IncomingMessage, res: ServerResponse): void {
  let text = '';
  req.on('data', (c: Buffer) => (text += c.toString()));
  req.on('end', () => {
    const review = JSON.parse(text) as Review;
    const path = req.url ?? '';
    reviews.push({ path, review });
    const response = answer(review, path);
    if (response === 'hang') return;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, ...response } }));
  });
}

/** One webhook of the configuration `test-hooks`, calling the Service default/hook. */
function webhook(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    admissionReviewVersions: ['v1'],
    clientConfig: { service: { namespace: 'default', name: 'hook', path: `/${name}`, port: 443 }, caBundle: caBundle(certs) },
    rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['configmaps'], scope: '*' }],
    sideEffects: 'None',
    ...overrides,
  };
}

/** Replaces the webhook configuration (in-process: the test's own setup). */
function configure(...webhooks: Record<string, unknown>[]): void {
  if (api.cluster.get('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', '', 'test-hooks') !== undefined) {
    api.cluster.delete('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', '', 'test-hooks');
  }
  api.cluster.create({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'test-hooks' }, webhooks });
}

interface Sent {
  status: number;
  body: Record<string, unknown> & { metadata?: Record<string, unknown>; message?: string; code?: number; reason?: string };
  warnings: string | null;
}

async function send(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Sent> {
  const init: RequestInit = { method, headers: { 'content-type': contentType } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const r = await fetch(api.url + path, init);
  return { status: r.status, body: (await r.json()) as Sent['body'], warnings: r.headers.get('warning') };
}

const configMap = (name: string, labels: Record<string, string> = {}): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { a: '1' } });
const CM = '/api/v1/namespaces/default/configmaps';

beforeAll(async () => {
  certs = await issueBundle({ dnsNames: serviceDnsNames('default', ['hook']), now: new Date() });
  hook = createServer({ cert: certs.tlsCert, key: certs.tlsKey }, respond);
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => { r(); }));
  api = await startFakeApiServer({ builtinControllers: false });
  const port = (hook.address() as AddressInfo).port;
  api.cluster.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'hook', namespace: 'default' }, spec: { ports: [{ name: 'https', port: 443, targetPort: port }] } });
  api.cluster.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'hook', namespace: 'default' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port }] }] });
  api.cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'quiet', labels: { admission: 'off' } } });
});

afterAll(async () => {
  await api.stop();
  hook.closeAllConnections();
  await new Promise<void>((r) => hook.close(() => { r(); }));
});

beforeEach(() => {
  reviews = [];
  answer = allow;
});

describe('calling validating webhooks', () => {
  it('a create sends an admission.k8s.io/v1 AdmissionReview to the Service path over verified HTTPS; warnings become Warning headers', async () => {
    configure(webhook('cm.example.com'));
    answer = () => ({ allowed: true, warnings: ['looks odd'] });
    const r = await send('POST', `${CM}?fieldManager=tester`, configMap('created', { app: 'a' }));
    expect(r.status).toBe(201);
    expect(r.warnings).toBe('299 - "looks odd"');
    expect(reviews).toHaveLength(1);
    const [{ path, review }] = reviews as [{ path: string; review: Review }];
    expect(path).toBe('/cm.example.com?timeout=10s');
    expect(review.apiVersion).toBe('admission.k8s.io/v1');
    expect(review.kind).toBe('AdmissionReview');
    const { uid, object, ...rest } = review.request;
    expect(uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(rest).toEqual({
      kind: { group: '', version: 'v1', kind: 'ConfigMap' },
      resource: { group: '', version: 'v1', resource: 'configmaps' },
      requestKind: { group: '', version: 'v1', kind: 'ConfigMap' },
      requestResource: { group: '', version: 'v1', resource: 'configmaps' },
      name: 'created',
      namespace: 'default',
      operation: 'CREATE',
      userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'tester' },
    });
    // After defaulting, before the write: uid and creationTimestamp are set, no resourceVersion yet.
    expect(object?.metadata).toMatchObject({ name: 'created', namespace: 'default', labels: { app: 'a' } });
    expect(object?.metadata.creationTimestamp).toBeDefined();
    expect(object?.metadata.resourceVersion).toBeUndefined();
    expect(api.cluster.get('v1', 'ConfigMap', 'default', 'created')).toBeDefined();
  });

  it('a denial is the Status kube-apiserver answers with: the webhook\'s code and reason, its message prefixed; nothing is stored', async () => {
    configure(webhook('cm.example.com'));
    answer = () => ({ allowed: false, status: { code: 403, reason: 'Forbidden', message: 'no thanks' } });
    const r = await send('POST', CM, configMap('denied'));
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', code: 403, reason: 'Forbidden', message: 'admission webhook "cm.example.com" denied the request: no thanks' });
    expect(api.cluster.get('v1', 'ConfigMap', 'default', 'denied')).toBeUndefined();

    // Below 400 becomes 400; no message and no reason: "without explanation".
    answer = () => ({ allowed: false, status: { code: 200 } });
    const bare = await send('POST', CM, configMap('denied'));
    expect(bare.status).toBe(400);
    expect(bare.body.message).toBe('admission webhook "cm.example.com" denied the request without explanation');
  });

  it('an update (PUT, merge patch, apply) sends the old object; operations not in the rule are not sent', async () => {
    configure(webhook('cm.example.com'));
    await send('POST', CM, configMap('updated'));
    const patched = await send('PATCH', `${CM}/updated`, { data: { a: '2' } }, 'application/merge-patch+json');
    expect(patched.status).toBe(200);
    const last = reviews.at(-1)?.review.request;
    expect(last?.operation).toBe('UPDATE');
    expect(last?.options).toEqual({ kind: 'UpdateOptions', apiVersion: 'meta.k8s.io/v1' });
    expect(last?.oldObject?.data).toEqual({ a: '1' });
    expect(last?.object?.data).toEqual({ a: '2' });
    const applied = await send('PATCH', `${CM}/applied?fieldManager=me`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' } }, 'application/apply-patch+yaml');
    expect(applied.status).toBe(201);
    expect(reviews.at(-1)?.review.request.operation).toBe('CREATE');

    configure(webhook('cm.example.com', { rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }] }));
    reviews = [];
    expect((await send('PATCH', `${CM}/updated`, { data: { a: '3' } }, 'application/merge-patch+json')).status).toBe(200);
    expect(reviews).toEqual([]);
  });

  it('DELETE is sent only when a rule names it, with the old object and no object', async () => {
    configure(webhook('cm.example.com', { rules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: ['DELETE'], resources: ['configmaps'] }] }));
    api.cluster.create({ ...configMap('gone'), metadata: { name: 'gone', namespace: 'default' } });
    answer = () => ({ allowed: false, status: { message: 'keep it' } });
    const r = await send('DELETE', `${CM}/gone`);
    expect(r.status).toBe(400);
    expect(r.body.message).toBe('admission webhook "cm.example.com" denied the request: keep it');
    expect(reviews[0]?.review.request).toMatchObject({ operation: 'DELETE', object: null, oldObject: { metadata: { name: 'gone' } }, options: { kind: 'DeleteOptions' } });
    expect(api.cluster.get('v1', 'ConfigMap', 'default', 'gone')).toBeDefined();
    // kubectl delete --dry-run=server sends dryRun in the DeleteOptions body.
    answer = allow;
    expect((await send('DELETE', `${CM}/gone`, { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] })).status).toBe(200);
    expect(reviews[1]?.review.request).toMatchObject({ operation: 'DELETE', dryRun: true, options: { dryRun: ['All'] } });
    expect(api.cluster.get('v1', 'ConfigMap', 'default', 'gone')).toBeDefined();
  });

  it('"*" does not match subresources; a rule naming deployments/scale gets the Scale', async () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } };
    api.cluster.create(deployment);
    configure(webhook('all.example.com', { rules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['*'] }] }));
    const scale = '/apis/apps/v1/namespaces/default/deployments/web/scale';
    expect((await send('PATCH', scale, { spec: { replicas: 2 } }, 'application/merge-patch+json')).status).toBe(200);
    expect(reviews).toEqual([]);

    configure(webhook('scale.example.com', { rules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['deployments/scale'] }] }));
    answer = (review) => ((review.request.object as { spec?: { replicas?: number } }).spec?.replicas === 9 ? { allowed: false, status: { code: 422, message: 'too many' } } : { allowed: true });
    expect((await send('PATCH', scale, { spec: { replicas: 3 } }, 'application/merge-patch+json')).status).toBe(200);
    expect(reviews[0]?.review.request).toMatchObject({
      kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      subResource: 'scale', requestSubResource: 'scale', oldObject: { kind: 'Scale', spec: { replicas: 2 } }, object: { kind: 'Scale', spec: { replicas: 3 } },
    });
    const denied = await send('PATCH', scale, { spec: { replicas: 9 } }, 'application/merge-patch+json');
    expect(denied.status).toBe(422);
    expect((api.cluster.get('apps/v1', 'Deployment', 'default', 'web')?.spec as { replicas: number }).replicas).toBe(3);
  });

  it('namespaceSelector and objectSelector pick the requests sent', async () => {
    configure(webhook('cm.example.com', {
      namespaceSelector: { matchExpressions: [{ key: 'admission', operator: 'NotIn', values: ['off'] }] },
      objectSelector: { matchLabels: { checked: 'yes' } },
    }));
    expect((await send('POST', '/api/v1/namespaces/quiet/configmaps', configMap('a', { checked: 'yes' }))).status).toBe(201);
    expect((await send('POST', CM, configMap('unlabelled'))).status).toBe(201);
    expect(reviews).toEqual([]);
    expect((await send('POST', CM, configMap('labelled', { checked: 'yes' }))).status).toBe(201);
    expect(reviews.map((r) => r.review.request.name)).toEqual(['labelled']);
    // The label every namespace carries selects by name.
    configure(webhook('cm.example.com', { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'quiet' } } }));
    reviews = [];
    await send('POST', CM, configMap('in-default'));
    await send('POST', '/api/v1/namespaces/quiet/configmaps', configMap('in-quiet'));
    expect(reviews.map((r) => r.review.request.namespace)).toEqual(['quiet']);
  });

  it('a generateName create stores the name the webhook saw', async () => {
    configure(webhook('cm.example.com'));
    const r = await send('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
    expect(r.status).toBe(201);
    expect(r.body.metadata?.name).toBe(reviews[0]?.review.request.name);
    expect(reviews[0]?.review.request.object?.metadata.name).toBe(r.body.metadata?.name);
  });

  it('in-process cluster writes (a test\'s own setup) and writes of webhook configurations are not sent', async () => {
    configure(webhook('everything.example.com', { rules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: ['*'], resources: ['*/*'] }], clientConfig: { url: 'https://127.0.0.1:1/' } }));
    api.cluster.create({ ...configMap('setup'), metadata: { name: 'setup', namespace: 'default' } });
    expect(api.cluster.get('v1', 'ConfigMap', 'default', 'setup')).toBeDefined();
    expect((await send('POST', CM, configMap('blocked'))).status).toBe(500);
    expect((await send('DELETE', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/test-hooks')).status).toBe(200);
    expect((await send('POST', CM, configMap('blocked'))).status).toBe(201);
  });
});

describe('failures of the webhook', () => {
  it('failurePolicy Fail (the default): an unreachable webhook rejects with kube-apiserver\'s InternalError', async () => {
    configure(webhook('down.example.com', { clientConfig: { service: { namespace: 'default', name: 'nothing', path: '/x' } } }));
    const r = await send('POST', CM, configMap('refused'));
    expect(r.status).toBe(500);
    expect(r.body).toMatchObject({ reason: 'InternalError', code: 500 });
    expect(r.body.message).toBe('Internal error occurred: failed calling webhook "down.example.com": failed to call webhook: Post "https://nothing.default.svc:443/x?timeout=10s": service "nothing" not found');
    expect(api.cluster.get('v1', 'ConfigMap', 'default', 'refused')).toBeUndefined();

    configure(webhook('closed.example.com', { clientConfig: { url: 'https://127.0.0.1:1/validate' } }));
    expect((await send('POST', CM, configMap('refused'))).body.message).toBe('Internal error occurred: failed calling webhook "closed.example.com": failed to call webhook: Post "https://127.0.0.1:1/validate?timeout=10s": dial tcp 127.0.0.1:1: connect: connection refused');
  });

  it('failurePolicy Ignore: the write proceeds', async () => {
    configure(webhook('down.example.com', { failurePolicy: 'Ignore', clientConfig: { service: { namespace: 'default', name: 'nothing', path: '/x' } } }));
    expect((await send('POST', CM, configMap('ignored'))).status).toBe(201);
  });

  it('a certificate that does not verify against caBundle is a call failure', async () => {
    const other = await issueBundle({ dnsNames: ['hook.default.svc'], now: new Date() });
    configure(webhook('untrusted.example.com', { clientConfig: { service: { namespace: 'default', name: 'hook', path: '/x' }, caBundle: caBundle(other) } }));
    const r = await send('POST', CM, configMap('untrusted'));
    expect(r.status).toBe(500);
    expect(r.body.message).toMatch(/^Internal error occurred: failed calling webhook "untrusted.example.com": failed to call webhook: Post "https:\/\/hook.default.svc:443\/x\?timeout=10s": /);
    expect(reviews).toEqual([]);
  });

  it('timeoutSeconds bounds the call', async () => {
    configure(webhook('slow.example.com', { timeoutSeconds: 1 }));
    answer = () => 'hang';
    const r = await send('POST', CM, configMap('slow'));
    expect(r.status).toBe(500);
    expect(r.body.message).toBe('Internal error occurred: failed calling webhook "slow.example.com": failed to call webhook: Post "https://hook.default.svc:443/slow.example.com?timeout=1s": context deadline exceeded');
  });

  it('an answer with the wrong uid is an invalid response', async () => {
    configure(webhook('liar.example.com'));
    answer = () => ({ uid: 'other', allowed: true });
    const r = await send('POST', CM, configMap('lied'));
    expect(r.body.message).toMatch(/failed calling webhook "liar.example.com": received invalid webhook response: expected response.uid="[0-9a-f-]+", got "other"$/);
  });
});

describe('dry run', () => {
  it('webhooks without side effects are called with dryRun true and nothing is stored', async () => {
    configure(webhook('cm.example.com', { sideEffects: 'NoneOnDryRun' }));
    const r = await send('POST', `${CM}?dryRun=All`, configMap('dry'));
    expect(r.status).toBe(201);
    expect(reviews[0]?.review.request).toMatchObject({ dryRun: true, options: { dryRun: ['All'] } });
    expect(api.cluster.get('v1', 'ConfigMap', 'default', 'dry')).toBeUndefined();
  });

  it('a webhook with side effects fails a dry run with 400, whatever its failurePolicy, and is not called', async () => {
    configure(webhook('effects.example.com', { sideEffects: 'Some', failurePolicy: 'Ignore' }));
    const r = await send('POST', `${CM}?dryRun=All`, configMap('dry'));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ reason: 'BadRequest', message: 'admission webhook "effects.example.com" does not support dry run' });
    expect(reviews).toEqual([]);
  });
});
