import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApiServer, startFakeApiServer } from '../../../src/kube/testing/index.js';
import { evalJsonPath, humanDuration, parseJsonPath, wantsTable } from '../../../src/kube/testing/table.js';

let s: FakeApiServer;
let now = Date.parse('2026-01-02T03:00:00Z');
beforeAll(async () => { s = await startFakeApiServer({ builtinControllers: false, clock: () => now }); });
afterAll(async () => { await s.stop(); });

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

async function get(path: string, accept = TABLE): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(s.url + path, { headers: { accept } });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

type Table = { kind: string; apiVersion: string; columnDefinitions: { name: string; type: string; format: string; priority: number }[]; rows: { cells: unknown[]; object?: Record<string, unknown> }[] };

describe('Table responses', () => {
  beforeAll(() => {
    s.cluster.create({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'so', namespace: 'default' }, spec: { scaleTargetRef: { name: 'web' }, minReplicaCount: 0, maxReplicaCount: 10, triggers: [{ type: 'cron', metadata: {} }] } });
    const so = s.cluster.get('keda.sh/v1alpha1', 'ScaledObject', 'default', 'so');
    if (!so) throw new Error('missing');
    so.status = { scaleTargetKind: 'apps/v1.Deployment', triggersTypes: 'cron', conditions: [{ type: 'Ready', status: 'True' }, { type: 'Active', status: 'False' }, { type: 'Fallback', status: 'False' }] };
    s.cluster.update(so, { status: true });
    now += 5 * 60_000 + 3_000; // created 5m3s ago
  });

  it('a ScaledObject list shows KEDA printer columns after Name, with Age 5m3s and null for unset Paused/Authentications', async () => {
    const r = await get('/apis/keda.sh/v1alpha1/namespaces/default/scaledobjects');
    const t = r.body as unknown as Table;
    expect(t.kind).toBe('Table');
    expect(t.apiVersion).toBe('meta.k8s.io/v1');
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'ScaleTargetKind', 'ScaleTargetName', 'Min', 'Max', 'Ready', 'Active', 'Fallback', 'Paused', 'Triggers', 'Authentications', 'Age']);
    expect(t.columnDefinitions[0]).toMatchObject({ type: 'string', format: 'name', priority: 0 });
    expect(t.rows[0]?.cells).toEqual(['so', 'apps/v1.Deployment', 'web', 0, 10, 'True', 'False', 'False', null, 'cron', null, '5m3s']);
    expect(t.rows[0]?.object).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'so' } });
    expect((r.body.metadata as Record<string, unknown>).resourceVersion).toMatch(/^\d+$/);
  });

  it('a single get is a one-row Table; includeObject=Object carries the whole object, None nothing', async () => {
    const full = (await get('/apis/keda.sh/v1alpha1/namespaces/default/scaledobjects/so?includeObject=Object')).body as unknown as Table;
    expect(full.rows).toHaveLength(1);
    expect(full.rows[0]?.object).toMatchObject({ kind: 'ScaledObject', spec: { maxReplicaCount: 10 } });
    const none = (await get('/apis/keda.sh/v1alpha1/namespaces/default/scaledobjects/so?includeObject=None')).body as unknown as Table;
    expect(none.rows[0]?.object).toBeUndefined();
    expect((await get('/apis/keda.sh/v1alpha1/namespaces/default/scaledobjects/so?includeObject=All')).status).toBe(400);
  });

  it('built-ins get Name, their default columns and Age (namespaces: Status)', async () => {
    const t = (await get('/api/v1/namespaces/default')).body as unknown as Table;
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Status', 'Age']);
    expect(t.rows[0]?.cells.slice(0, 2)).toEqual(['default', 'Active']);
  });

  it('plain JSON is served when Accept does not ask for a Table', async () => {
    expect((await get('/api/v1/namespaces/default', 'application/json')).body.kind).toBe('Namespace');
  });
});

describe('wantsTable', () => {
  it.each([
    [TABLE, 'v1'],
    ['application/json;as=Table;v=v1beta1;g=meta.k8s.io', 'v1beta1'],
    ['application/json', undefined],
    ['application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io', undefined],
    [undefined, undefined],
  ])('%s → %s', (accept, want) => { expect(wantsTable(accept)).toBe(want); });
});

describe('humanDuration', () => {
  it.each([
    [0, '0s'], [119_000, '119s'], [120_000, '2m'], [303_000, '5m3s'], [600_000, '10m'], [179 * 60_000, '179m'],
    [200 * 60_000, '3h20m'], [8 * 3600_000, '8h'], [52 * 3600_000, '2d4h'], [10 * 86400_000, '10d'],
    [(2 * 365 + 10) * 86400_000, '2y10d'], [-5_000, '<invalid>'],
  ])('%i ms → %s', (ms, want) => { expect(humanDuration(ms)).toBe(want); });
});

describe('printer-column JSONPath', () => {
  const obj = { spec: { a: [{ n: 1 }, { n: 2 }] }, status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Active', status: 'False' }] } };
  it.each([
    ['.status.conditions[?(@.type=="Active")].status', ['False']],
    ['.spec.a[1].n', [2]],
    ['.spec.a[*].n', [1, 2]],
    ['.spec.missing', []],
    ['{.spec.a[0].n}', [1]],
  ])('%s → %j', (path, want) => { expect(evalJsonPath(obj, parseJsonPath(path))).toEqual(want); });

  it('rejects what it does not understand', () => { expect(() => parseJsonPath('.a..b')).toThrow(/unsupported JSONPath/); });
});

describe('Table watch events', () => {
  it('each event is a one-row Table; column definitions only on the first (two ScaledObjects → 12 columns, then [])', async () => {
    s.cluster.create({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'so2', namespace: 'default' }, spec: { scaleTargetRef: { name: 'web2' } } });
    const ac = new AbortController();
    const r = await fetch(`${s.url}/apis/keda.sh/v1alpha1/namespaces/default/scaledobjects?watch=true`, { headers: { accept: TABLE }, signal: ac.signal });
    const reader = (r.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (text.split('\n').length < 3) text += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    const [first, second] = text.split('\n').slice(0, 2).map((l) => JSON.parse(l) as { type: string; object: Table });
    expect(first?.type).toBe('ADDED');
    expect(first?.object.kind).toBe('Table');
    expect(first?.object.columnDefinitions).toHaveLength(12);
    expect(first?.object.rows.map((row) => row.cells[0])).toEqual(['so']);
    expect(second?.object.columnDefinitions).toEqual([]);
    expect(second?.object.rows[0]?.cells[0]).toBe('so2');
  });
});
