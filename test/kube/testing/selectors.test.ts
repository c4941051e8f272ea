import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApiServer, startFakeApiServer } from '../../../src/kube/testing/index.js';
import { formatLabelSelector, matchesLabels, parseLabelSelector } from '../../../src/kube/testing/selectors.js';
import { call } from './http-client.js';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', n: '5' };
  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['app in (web,api)', true],
    ['app in (api)', false],
    ['app notin (api, db)', true],
    ['missing notin (x)', true],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['app=web,tier in (front),!missing', true],
    ['app=web,tier=back', false],
    ['n>4', true],
    ['n<5', false],
    ['', true],
  ])('%s → %s on app=web,tier=front,n=5', (sel, want) => {
    expect(matchesLabels(parseLabelSelector(sel), labels)).toBe(want);
  });

  it('rejects what the apiserver cannot parse', () => {
    expect(() => parseLabelSelector('app in web')).toThrow('unable to parse requirement');
    expect(() => parseLabelSelector('n>x')).toThrow();
  });

  it('formats a LabelSelector sorted by key, as Scale status.selector shows it', () => {
    expect(formatLabelSelector({ matchLabels: { z: '1', a: '2' }, matchExpressions: [{ key: 'm', operator: 'In', values: ['y', 'x'] }, { key: 'b', operator: 'DoesNotExist' }] }))
      .toBe('a=2,!b,m in (x,y),z=1');
  });
});

describe('list with selectors over HTTP', () => {
  let s: FakeApiServer;
  beforeAll(async () => {
    // No front proxy: its ConfigMap in kube-system would be one more item of the cluster-wide lists.
    s = await startFakeApiServer({ builtinControllers: false, kedaCrds: false, frontProxy: false });
    await call(s.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'other' } });
    for (const [ns, name, app] of [['default', 'a', 'web'], ['default', 'b', 'api'], ['other', 'c', 'web'], ['default', 'd', '']] as const) {
      await call(s.url, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name, labels: app === '' ? {} : { app } } });
    }
  });
  afterAll(async () => { await s.stop(); });

  const names = async (path: string): Promise<unknown[]> => ((await call(s.url, 'GET', path)).body.items ?? []).map((i) => (i.metadata as { name: string }).name);

  it.each([
    ['/api/v1/configmaps', ['a', 'b', 'd', 'c']],
    ['/api/v1/configmaps?labelSelector=app%3Dweb', ['a', 'c']],
    ['/api/v1/configmaps?labelSelector=app%21%3Dweb', ['b', 'd']],
    ['/api/v1/configmaps?labelSelector=app', ['a', 'b', 'c']],
    ['/api/v1/namespaces/default/configmaps?labelSelector=app%20notin%20(api)', ['a', 'd']],
    ['/api/v1/configmaps?fieldSelector=metadata.name%3Dc', ['c']],
    ['/api/v1/configmaps?fieldSelector=metadata.namespace%21%3Ddefault', ['c']],
  ])('%s → %j', async (path, want) => {
    expect(await names(path)).toEqual(want);
  });

  it('an unsupported field label is 400; pod fields like status.phase are supported', async () => {
    const r = await call(s.url, 'GET', '/api/v1/configmaps?fieldSelector=data.x%3D1');
    expect(r.status).toBe(400);
    expect(r.body.message).toBe('field label not supported: data.x');
    expect((await call(s.url, 'GET', '/api/v1/pods?fieldSelector=status.phase%3DRunning')).status).toBe(200);
  });

  it('limit and continue page through the list with remainingItemCount', async () => {
    const p1 = await call(s.url, 'GET', '/api/v1/configmaps?limit=3');
    expect(p1.body.items).toHaveLength(3);
    expect(p1.body.metadata?.remainingItemCount).toBe(1);
    const p2 = await call(s.url, 'GET', `/api/v1/configmaps?limit=3&continue=${encodeURIComponent(String(p1.body.metadata?.continue))}`);
    expect((p2.body.items ?? []).map((i) => (i.metadata as { name: string }).name)).toEqual(['c']);
    expect(p2.body.metadata?.continue).toBeUndefined();
  });
});
