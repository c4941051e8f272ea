import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApiServer, startFakeApiServer } from '../../../src/kube/testing/index.js';
import { call } from './http-client.js';

let s: FakeApiServer;
beforeAll(async () => { s = await startFakeApiServer({ builtinControllers: false }); });
afterAll(async () => { await s.stop(); });

const DEP = '/apis/apps/v1/namespaces/default/deployments';
const SO = '/apis/keda.sh/v1alpha1/namespaces/default/scaledobjects';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  warnings: string[];
}

/** A request that also returns the Warning headers. */
async function send(method: string, path: string, body: unknown, contentType = 'application/json'): Promise<Answer> {
  const r = await fetch(s.url + path, { method, headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const warning = r.headers.get('warning');
  return { status: r.status, body: (await r.json()) as Record<string, unknown>, warnings: warning === null ? [] : warning.split(/,\s*(?=299 )/) };
}

function deployment(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { 'any/label': 'ok' } },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x' }] } }, ...spec },
  };
}

function scaledObject(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name },
    spec: { scaleTargetRef: { name: 'web' }, triggers: [{ type: 'cron', metadata: { timezone: 'UTC', start: '0 * * * *', end: '1 * * * *', desiredReplicas: '2' } }], ...spec },
  };
}

describe('fieldValidation', () => {
  it('Strict refuses unknown fields of a built-in kind with the decoder\'s message, in document order; label keys are free', async () => {
    const body = deployment('strict', { replica: 3 });
    ((body.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0] ?? {}).imagee = 'y';
    const r = await send('POST', `${DEP}?fieldValidation=Strict`, body);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      reason: 'BadRequest',
      message: 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagee", unknown field "spec.replica"',
    });
    expect((await send('POST', `${DEP}?fieldValidation=Strict`, deployment('strict'))).status).toBe(201);
  });

  it('Warn (the default) stores the object without the unknown field and sends a Warning header per field', async () => {
    const r = await send('POST', SO, scaledObject('warned', { pollingIntervall: 5, advanced: { restoreToOriginalReplicaCount: true, restoreOriginal: true } }));
    expect(r.status).toBe(201);
    expect(r.warnings).toEqual(['299 - "unknown field \\"spec.pollingIntervall\\""', '299 - "unknown field \\"spec.advanced.restoreOriginal\\""']);
    const stored = (await call(s.url, 'GET', `${SO}/warned`)).body.spec as Record<string, unknown>;
    expect(stored.pollingIntervall).toBeUndefined();
    expect(stored.advanced).toEqual({ restoreToOriginalReplicaCount: true });
    expect((stored.triggers as Record<string, unknown>[])[0]?.metadata).toMatchObject({ timezone: 'UTC', desiredReplicas: '2' });
  });

  it('Ignore drops unknown fields silently', async () => {
    const r = await send('POST', `${SO}?fieldValidation=Ignore`, scaledObject('ignored', { maxReplicas: 3 }));
    expect(r.status).toBe(201);
    expect(r.warnings).toEqual([]);
    expect((r.body.spec as Record<string, unknown>).maxReplicas).toBeUndefined();
  });

  it('Strict applies to updates, merge patches and server-side apply (with apply\'s own wording)', async () => {
    const live = (await call(s.url, 'GET', `${SO}/warned`)).body;
    const put = await send('PUT', `${SO}/warned?fieldValidation=Strict`, { ...live, spec: { ...(live.spec as object), cooldownPeriods: 1 } });
    expect(put.body.message).toBe('ScaledObject in version "v1alpha1" cannot be handled as a ScaledObject: strict decoding error: unknown field "spec.cooldownPeriods"');
    const patch = await send('PATCH', `${SO}/warned?fieldValidation=Strict`, { spec: { fallback: { failureThreshold: 3, replicas: 2, replica: 1 } } }, 'application/merge-patch+json');
    expect(patch.status).toBe(400);
    expect(patch.body.message).toContain('unknown field "spec.fallback.replica"');
    const good = await send('PATCH', `${SO}/warned?fieldValidation=Strict`, { spec: { fallback: { failureThreshold: 3, replicas: 2 } } }, 'application/merge-patch+json');
    expect(good.status).toBe(200);
    const apply = await send('PATCH', `${SO}/applied?fieldManager=t&fieldValidation=Strict`, scaledObject('applied', { minReplicaCounts: 1 }), 'application/apply-patch+yaml');
    expect(apply.status).toBe(400);
    expect(apply.body.message).toBe('failed to create typed patch object (keda.sh/v1alpha1, Kind=ScaledObject): .spec.minReplicaCounts: field not declared in schema');
  });

  it('an unsupported fieldValidation value is 422 on the request options', async () => {
    const r = await send('POST', `${DEP}?fieldValidation=Loose`, deployment('loose'));
    expect(r.status).toBe(422);
    expect(r.body.message).toBe('CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"');
  });
});

describe('status on create and update', () => {
  it('a create drops status for kinds with a status subresource; a main-resource update keeps the stored status', async () => {
    const created = await send('POST', DEP, { ...deployment('withstatus'), status: { replicas: 7, readyReplicas: 7 } });
    expect(created.body.status).toBeUndefined();
    const so = await send('POST', SO, { ...scaledObject('sostatus'), status: { hpaName: 'x' } });
    expect(so.body.status).toBeUndefined();
    await call(s.url, 'PATCH', `${DEP}/withstatus/status`, { status: { replicas: 1 } }, 'application/merge-patch+json');
    const patched = await call(s.url, 'PATCH', `${DEP}/withstatus`, { status: { replicas: 9 }, spec: { replicas: 2 } }, 'application/merge-patch+json');
    expect(patched.body).toMatchObject({ spec: { replicas: 2 }, status: { replicas: 1 } });
    const applied = await send('PATCH', `${SO}/sostatus-applied?fieldManager=t`, { ...scaledObject('sostatus-applied'), status: { hpaName: 'y' } }, 'application/apply-patch+yaml');
    expect(applied.status).toBe(201);
    expect(applied.body.status).toBeUndefined();
  });
});

describe('dryRun=All', () => {
  it('patch, apply and delete answer as if done and store nothing', async () => {
    await send('POST', DEP, deployment('dry'));
    const patched = await call(s.url, 'PATCH', `${DEP}/dry?dryRun=All`, { spec: { replicas: 4 } }, 'application/merge-patch+json');
    expect(patched.body.spec).toMatchObject({ replicas: 4 });
    const applied = await send('PATCH', `${DEP}/dry-new?dryRun=All&fieldManager=t`, deployment('dry-new'), 'application/apply-patch+yaml');
    expect(applied.status).toBe(201);
    expect((await call(s.url, 'GET', `${DEP}/dry-new`)).status).toBe(404);
    expect((await call(s.url, 'DELETE', `${DEP}/dry?dryRun=All`)).status).toBe(200);
    expect((await call(s.url, 'GET', `${DEP}/dry`)).body.spec).toMatchObject({ replicas: 1 });
  });
});

describe('server-side apply on /scale', () => {
  it('owns the parent\'s replicas through the scale subresource and conflicts with the manager that applied them', async () => {
    const created = await send('PATCH', `${DEP}/ssa?fieldManager=kubectl`, deployment('ssa', { replicas: 2 }), 'application/apply-patch+yaml');
    expect(created.status).toBe(201);
    const scale = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'ssa' }, spec: { replicas: 5 } };
    const refused = await send('PATCH', `${DEP}/ssa/scale?fieldManager=scaler`, scale, 'application/apply-patch+yaml');
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe('Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    const forced = await send('PATCH', `${DEP}/ssa/scale?fieldManager=scaler&force=true`, scale, 'application/apply-patch+yaml');
    expect(forced.status).toBe(200);
    expect(forced.body).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 5 } });
    const d = (await call(s.url, 'GET', `${DEP}/ssa`)).body;
    expect(d.spec).toMatchObject({ replicas: 5 });
    const managers = ((d.metadata as { managedFields: Record<string, unknown>[] }).managedFields).map((m) => [m.manager, m.operation, m.subresource ?? '']);
    expect(managers).toContainEqual(['scaler', 'Apply', 'scale']);
    const negative = await send('PATCH', `${DEP}/ssa/scale?fieldManager=scaler`, { ...scale, spec: { replicas: -1 } }, 'application/apply-patch+yaml');
    expect(negative.status).toBe(422);
  });
});
