import { afterEach, describe, expect, it } from 'vitest';
import { type FakeApiServer, startFakeApiServer } from '../../../src/kube/testing/index.js';
import { call, watch } from './http-client.js';

const CM = '/api/v1/namespaces/default/configmaps';
let s: FakeApiServer | undefined;
afterEach(async () => { await s?.stop(); });

describe('watch', () => {
  it('from a list resourceVersion streams later ADDED, MODIFIED and DELETED in order', async () => {
    s = await startFakeApiServer({ builtinControllers: false, kedaCrds: false });
    await call(s.url, 'POST', CM, { metadata: { name: 'before' } });
    const rv = (await call(s.url, 'GET', CM)).body.metadata?.resourceVersion as string;
    const w = await watch(s.url, `${CM}?watch=true&resourceVersion=${rv}`);
    await call(s.url, 'POST', CM, { metadata: { name: 'w' }, data: { a: '1' } });
    await call(s.url, 'PATCH', `${CM}/w`, { data: { a: '2' } }, 'application/merge-patch+json');
    await call(s.url, 'DELETE', `${CM}/w`);
    const events = [await w.next(), await w.next(), await w.next()];
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'w'], ['MODIFIED', 'w'], ['DELETED', 'w']]);
    expect(events[0]?.object).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    expect(rvs[1]).toBeGreaterThan(rvs[0] ?? 0);
    expect(rvs[2]).toBeGreaterThan(rvs[1] ?? 0);
    w.close();
  });

  it('without a resourceVersion starts with synthetic ADDED events for what exists', async () => {
    s = await startFakeApiServer({ builtinControllers: false, kedaCrds: false });
    await call(s.url, 'POST', CM, { metadata: { name: 'one' } });
    await call(s.url, 'POST', CM, { metadata: { name: 'two' } });
    const w = await watch(s.url, `${CM}?watch=true`);
    expect([(await w.next()).object.metadata.name, (await w.next()).object.metadata.name]).toEqual(['one', 'two']);
    w.close();
  });

  it('resumes from a resourceVersion in the middle of the history: only later events are replayed', async () => {
    s = await startFakeApiServer({ builtinControllers: false, kedaCrds: false });
    const a = await call(s.url, 'POST', CM, { metadata: { name: 'a' } });
    await call(s.url, 'POST', CM, { metadata: { name: 'b' } });
    await call(s.url, 'POST', CM, { metadata: { name: 'c' } });
    const w = await watch(s.url, `${CM}?watch=true&resourceVersion=${String(a.body.metadata?.resourceVersion)}`);
    expect([(await w.next()).object.metadata.name, (await w.next()).object.metadata.name]).toEqual(['b', 'c']);
    await expect(w.next(100)).rejects.toThrow('no watch event in time');
    w.close();
  });

  it('a resourceVersion older than the kept history gets an ERROR event with 410 Expired and the stream ends', async () => {
    // 4 namespaces + 6 configmaps = 10 writes with a history of 3: resourceVersion 2 has been compacted.
    s = await startFakeApiServer({ builtinControllers: false, kedaCrds: false, historySize: 3 });
    for (let i = 0; i < 6; i++) await call(s.url, 'POST', CM, { metadata: { name: `h${i}` } });
    const w = await watch(s.url, `${CM}?watch=true&resourceVersion=2`);
    const e = await w.next();
    expect(e.type).toBe('ERROR');
    expect(e.object).toMatchObject({ kind: 'Status', status: 'Failure', code: 410, reason: 'Expired' });
    await w.ended;
  });

  it('objects moving out of and into a label selection are DELETED and ADDED for that watcher', async () => {
    s = await startFakeApiServer({ builtinControllers: false, kedaCrds: false });
    await call(s.url, 'POST', CM, { metadata: { name: 'm', labels: { tier: 'a' } } });
    const rv = (await call(s.url, 'GET', CM)).body.metadata?.resourceVersion as string;
    const w = await watch(s.url, `${CM}?watch=true&labelSelector=tier%3Da&resourceVersion=${rv}`);
    await call(s.url, 'PATCH', `${CM}/m`, { metadata: { labels: { tier: 'b' } } }, 'application/merge-patch+json');
    await call(s.url, 'PATCH', `${CM}/m`, { metadata: { labels: { tier: 'a' } } }, 'application/merge-patch+json');
    await call(s.url, 'POST', CM, { metadata: { name: 'other', labels: { tier: 'b' } } });
    expect((await w.next()).type).toBe('DELETED');
    expect((await w.next()).type).toBe('ADDED');
    await expect(w.next(100)).rejects.toThrow();
    w.close();
  });

  it('sends BOOKMARK events carrying only the current resourceVersion when allowed', async () => {
    s = await startFakeApiServer({ builtinControllers: false, kedaCrds: false, bookmarkIntervalMs: 30 });
    const rv = (await call(s.url, 'GET', CM)).body.metadata?.resourceVersion as string;
    const w = await watch(s.url, `${CM}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`);
    const e = await w.next(1000);
    expect(e).toEqual({ type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: rv } } });
    w.close();
  });

  it('timeoutSeconds ends the stream, and stop() ends open watches', async () => {
    s = await startFakeApiServer({ builtinControllers: false, kedaCrds: false });
    const w = await watch(s.url, `${CM}?watch=true&timeoutSeconds=1`);
    await w.ended;
    const w2 = await watch(s.url, `${CM}?watch=true`);
    await s.stop();
    s = undefined;
    await w2.ended;
  });
});
