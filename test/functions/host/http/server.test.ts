import { afterEach, describe, expect, it } from 'vitest';
import type { BindingDefinition, FunctionDefinition } from '../../../../src/app/function-model.js';
import type { RpcHttpData } from '../../../../src/app/rpc.js';
import type { InvocationOutcome, TriggerEvent } from '../../../../src/functions/host/contract.js';
import type { DrainStatus, HostControl, HostState } from '../../../../src/functions/host/http/host-control.js';
import { keySetFrom } from '../../../../src/functions/host/http/keys.js';
import { createHostMetrics } from '../../../../src/functions/host/http/metrics.js';
import { parseInvokeBody, startHttpServer, type HttpServerOptions, type RunningHttpServer } from '../../../../src/functions/host/http/server.js';

const b = (name: string, type: string, direction: BindingDefinition['direction'], options: Record<string, unknown> = {}): BindingDefinition => ({ name, type, direction, options });
function httpFn(name: string, options: Record<string, unknown>, out = '$return', disabled = false): FunctionDefinition {
  const trigger = b('req', 'httpTrigger', 'in', options);
  return { name, trigger, bindings: [trigger, b(out, 'http', 'out')], disabled, source: { model: 'v4', functionId: name, scriptFile: 'dist/src/functions/index.js' } };
}
const queueFn: FunctionDefinition = {
  name: 'QueueFn',
  trigger: b('item', 'queueTrigger', 'in', { queueName: 'q' }),
  bindings: [b('item', 'queueTrigger', 'in', { queueName: 'q' })],
  disabled: false,
  source: { model: 'v3', scriptFile: 'index.js', directory: '/app/QueueFn' },
};

/** A fake host: HTTP functions echo what they received; the response is put where the output binding says. */
class FakeHost implements HostControl {
  events: { fn: string; event: TriggerEvent }[] = [];
  invoked: { fn: string; input: string }[] = [];
  hostState: HostState = 'Running';
  drained = 0;
  resumed = 0;
  fail = false;
  constructor(readonly fns: FunctionDefinition[]) {}
  functions() {
    return this.fns;
  }
  dispatchHttp(fn: FunctionDefinition, event: TriggerEvent): Promise<InvocationOutcome> {
    this.events.push({ fn: fn.name, event });
    if (this.fail) return Promise.resolve({ status: 'failure', error: new Error('boom') });
    const http = event.value.http ?? {};
    const response: RpcHttpData = {
      statusCode: '201',
      headers: { 'x-fn': fn.name },
      cookies: [{ name: 's', value: '1', httpOnly: { value: true }, sameSite: 'lax' }],
      body: { json: JSON.stringify({ fn: fn.name, params: http.params, query: http.query, url: http.url, body: http.body?.bytes ? Buffer.from(http.body.bytes).toString() : null }) },
    };
    const out = fn.bindings.find((x) => x.direction === 'out')?.name ?? '$return';
    return Promise.resolve({ status: 'success', response: out === '$return' ? { returnValue: { http: response } } : { outputData: [{ name: out, data: { http: response } }] } });
  }
  invoke(fn: FunctionDefinition, input: string) {
    this.invoked.push({ fn: fn.name, input });
    return Promise.resolve();
  }
  state() {
    return this.hostState;
  }
  errors() {
    return ['Function broken: bad'];
  }
  drain() {
    this.drained++;
    return Promise.resolve();
  }
  drainStatus(): DrainStatus {
    return { state: this.drained > 0 ? 'InProgress' : 'Disabled', outstandingInvocations: 2, outstandingRetries: 0 };
  }
  resume() {
    this.resumed++;
    return Promise.resolve();
  }
}

const fns = [
  httpFn('Hello', { authLevel: 'anonymous' }),
  httpFn('Items', { authLevel: 'anonymous', route: 'items/{id:int}', methods: ['get', 'DELETE'] }, 'res'),
  httpFn('Secret', { route: 'secret' }),
  httpFn('AdminOnly', { authLevel: 'admin', route: 'adm' }),
  httpFn('Off', { authLevel: 'anonymous' }, '$return', true),
  queueFn,
];
const keys = keySetFrom([['host.master', 'MASTER'], ['functions.secret.default', 'FKEY']]);

let running: RunningHttpServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});
async function serve(host: FakeHost, extra: Partial<HttpServerOptions> = {}): Promise<string> {
  const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  running = await startHttpServer({ host, log: silent, authEnabled: true, keys, port: 0, address: '127.0.0.1', instanceId: 'inst-1', now: () => 1000, ...extra });
  return running.url;
}

describe('HTTP functions', () => {
  it('routes /api/<name>, builds the RPC request and writes the http output', async () => {
    const host = new FakeHost(fns);
    const base = await serve(host);
    const res = await fetch(`${base}/api/hello?name=ann&x=1&x=2`, { method: 'POST', body: 'hi', headers: { 'X-Custom': 'v' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-fn')).toBe('Hello');
    expect(res.headers.get('set-cookie')).toBe('s=1; HttpOnly; SameSite=Lax');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ fn: 'Hello', params: {}, query: { name: 'ann', x: '1,2' }, url: `${base}/api/hello?name=ann&x=1&x=2`, body: 'hi' });
    const event = host.events[0]?.event;
    expect(event?.value.http?.method).toBe('POST');
    expect(event?.value.http?.headers?.['x-custom']).toBe('v'); // lower-case names
    expect(JSON.parse(event?.metadata.Query?.json ?? '{}')).toEqual({ name: 'ann', x: '1,2' });
    expect(JSON.parse(event?.metadata.Headers?.json ?? '{}')).toMatchObject({ 'x-custom': 'v' });
  });

  it('GET without a body sends no body bytes (the v4 library would fail on an empty GET body)', async () => {
    const host = new FakeHost(fns);
    const base = await serve(host);
    await fetch(`${base}/api/hello`);
    expect(host.events[0]?.event.value.http?.body).toBeUndefined();
  });

  it.each([
    ['GET', '/api/items/42', 201],
    ['DELETE', '/api/items/42', 201],
    ['POST', '/api/items/42', 405],
    ['GET', '/api/items/abc', 404], // {id:int}
    ['GET', '/api/nothing', 404],
    ['GET', '/api/off', 404], // disabled function
    ['GET', '/api/queuefn', 404], // not an HTTP function
  ])('%s %s → %d', async (method, path, status) => {
    const base = await serve(new FakeHost(fns));
    const res = await fetch(`${base}${path}`, { method });
    expect(res.status).toBe(status);
    if (status === 405) expect(res.headers.get('allow')).toBe('GET, DELETE');
  });

  it('route params reach params and metadata; named http output "res" is used', async () => {
    const host = new FakeHost(fns);
    const base = await serve(host);
    const body = (await (await fetch(`${base}/api/items/42`)).json()) as { params: unknown };
    expect(body.params).toEqual({ id: '42' });
    expect(host.events[0]?.event.metadata.id).toEqual({ string: '42' });
  });

  it.each([
    ['function level without key', '/api/secret', {}, 401],
    ['function key in x-functions-key', '/api/secret', { 'x-functions-key': 'FKEY' }, 201],
    ['function key in ?code', '/api/secret?code=FKEY', {}, 201],
    ['master key opens function level', '/api/secret', { 'x-functions-key': 'MASTER' }, 201],
    ['wrong key', '/api/secret?code=nope', {}, 401],
    ['admin level with function key', '/api/adm?code=FKEY', {}, 401],
    ['admin level with master key', '/api/adm?code=MASTER', {}, 201],
  ])('auth: %s → %d', async (_name, path, headers, status) => {
    const base = await serve(new FakeHost(fns));
    expect((await fetch(`${base}${path}`, { headers })).status).toBe(status);
  });

  it('auth disabled (tide start without --enableAuth) lets every level through', async () => {
    const base = await serve(new FakeHost(fns), { authEnabled: false });
    expect((await fetch(`${base}/api/adm`)).status).toBe(201);
    expect((await fetch(`${base}/admin/host/status`)).status).toBe(200);
  });

  it('a failed invocation is 500; no http output is 204', async () => {
    const host = new FakeHost(fns);
    const base = await serve(host);
    host.fail = true;
    expect((await fetch(`${base}/api/hello`)).status).toBe(500);
    host.fail = false;
    host.dispatchHttp = () => Promise.resolve({ status: 'success', response: {} });
    expect((await fetch(`${base}/api/hello`)).status).toBe(204);
  });

  it('a body over maxBodyBytes is 413', async () => {
    const base = await serve(new FakeHost(fns), { maxBodyBytes: 4 });
    expect((await fetch(`${base}/api/hello`, { method: 'POST', body: '12345' })).status).toBe(413);
  });

  it('routePrefix from host.json, empty prefix included', async () => {
    let base = await serve(new FakeHost(fns), { hostJson: { extensions: { http: { routePrefix: 'fn' } } } });
    expect((await fetch(`${base}/fn/hello`)).status).toBe(201);
    expect((await fetch(`${base}/api/hello`)).status).toBe(404);
    await running?.close();
    base = await serve(new FakeHost(fns), { hostJson: { extensions: { http: { routePrefix: '' } } } });
    expect((await fetch(`${base}/hello`)).status).toBe(201);
  });

  it('CORS: allowed origin echoed with credentials, preflight 204', async () => {
    const base = await serve(new FakeHost(fns), { cors: { origins: ['https://a.example'], credentials: true } });
    const res = await fetch(`${base}/api/hello`, { headers: { origin: 'https://a.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://a.example');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    const pre = await fetch(`${base}/api/hello`, { method: 'OPTIONS', headers: { origin: 'https://a.example', 'access-control-request-method': 'PUT' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-methods')).toBe('PUT');
    const other = await fetch(`${base}/api/hello`, { headers: { origin: 'https://b.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('homepage, admin and metrics', () => {
  it.each([
    [{}, 200],
    [{ AzureWebJobsDisableHomepage: 'true' }, 204],
  ])('GET / with settings %j → %d, no key needed', async (settings, status) => {
    const base = await serve(new FakeHost(fns), { settings });
    expect((await fetch(`${base}/`)).status).toBe(status);
  });

  it('ping needs no key; other admin endpoints need the master key', async () => {
    const base = await serve(new FakeHost(fns));
    expect((await fetch(`${base}/admin/host/ping`)).status).toBe(200);
    expect((await fetch(`${base}/admin/host/ping`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${base}/admin/host/status`)).status).toBe(401);
    expect((await fetch(`${base}/admin/host/status?code=FKEY`)).status).toBe(401);
    const status = (await (await fetch(`${base}/admin/host/status`, { headers: { 'x-functions-key': 'MASTER' } })).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ id: 'tide', state: 'Running', instanceId: 'inst-1', processUptime: 0, errors: ['Function broken: bad'] });
  });

  it('drain → 202 and drain/status; resume → {state}; drain when not running → 503, resume → 409', async () => {
    const host = new FakeHost(fns);
    const base = await serve(host);
    const h = { headers: { 'x-functions-key': 'MASTER' } };
    expect((await fetch(`${base}/admin/host/drain/status`, h).then((r) => r.json()))).toEqual({ state: 'Disabled', outstandingInvocations: 2, outstandingRetries: 0 });
    expect((await fetch(`${base}/admin/host/drain`, { ...h, method: 'POST' })).status).toBe(202);
    expect(host.drained).toBe(1);
    expect((await fetch(`${base}/admin/host/drain/status`, h).then((r) => r.json()) as { state: string }).state).toBe('InProgress');
    const resumed = await fetch(`${base}/admin/host/resume`, { ...h, method: 'POST' });
    expect([resumed.status, await resumed.json(), host.resumed]).toEqual([200, { state: 'Running' }, 1]);
    host.hostState = 'Stopping';
    expect((await fetch(`${base}/admin/host/drain`, { ...h, method: 'POST' })).status).toBe(503);
    expect((await fetch(`${base}/admin/host/resume`, { ...h, method: 'POST' })).status).toBe(409);
  });

  it('GET /admin/functions[/name] in the Functions host shape', async () => {
    const base = await serve(new FakeHost(fns));
    const h = { headers: { 'x-functions-key': 'MASTER' } };
    const all = (await fetch(`${base}/admin/functions`, h).then((r) => r.json())) as { name: string }[];
    expect(all.map((f) => f.name)).toEqual(['Hello', 'Items', 'Secret', 'AdminOnly', 'Off', 'QueueFn']);
    const items = (await fetch(`${base}/admin/functions/items`, h).then((r) => r.json())) as Record<string, unknown>;
    expect(items).toMatchObject({
      name: 'Items',
      href: `${base}/admin/functions/Items`,
      invoke_url_template: `${base}/api/items/{id:int}`,
      script_href: `${base}/admin/vfs/site/wwwroot/dist/src/functions/index.js`,
      language: 'node',
      isDisabled: false,
      isDirect: false,
      isProxy: false,
    });
    const queue = (await fetch(`${base}/admin/functions/QueueFn`, h).then((r) => r.json())) as Record<string, unknown>;
    expect(queue).toMatchObject({
      invoke_url_template: null,
      script_href: `${base}/admin/vfs/site/wwwroot/QueueFn/index.js`,
      config_href: `${base}/admin/vfs/site/wwwroot/QueueFn/function.json`,
      config: { bindings: [{ name: 'item', type: 'queueTrigger', direction: 'in', queueName: 'q' }], disabled: false, scriptFile: 'index.js' },
    });
    expect((await fetch(`${base}/admin/functions/nope`, h)).status).toBe(404);
    expect((await fetch(`${base}/admin/functions/QueueFn/status`, h)).status).toBe(200);
  });

  it('POST /admin/functions/<name> dispatches the input: 202, 400 without body, 404 unknown', async () => {
    const host = new FakeHost(fns);
    const base = await serve(host);
    const post = (path: string, body?: string) => fetch(`${base}${path}`, { method: 'POST', headers: { 'x-functions-key': 'MASTER' }, ...(body !== undefined ? { body } : {}) });
    expect((await post('/admin/functions/QueueFn', '{"input":"hello queue"}')).status).toBe(202);
    expect(host.invoked).toEqual([{ fn: 'QueueFn', input: 'hello queue' }]);
    expect((await post('/admin/functions/QueueFn')).status).toBe(400);
    expect((await post('/admin/functions/QueueFn', 'not json')).status).toBe(400);
    expect((await post('/admin/functions/Missing', '{"input":""}')).status).toBe(404);
    expect((await fetch(`${base}/admin/functions/QueueFn`, { method: 'POST', body: '{"input":"x"}' })).status).toBe(401);
  });

  it.each([
    ['{"input":"a"}', 'a'],
    ['{"input":{"k":1}}', '{"k":1}'],
    ['{}', ''],
    ['[]', undefined],
    ['', undefined],
  ])('parseInvokeBody(%s) = %j', (body, expected) => {
    expect(parseInvokeBody(Buffer.from(body))).toBe(expected);
  });

  it('/metrics serves the registry in Prometheus text format without a key', async () => {
    const metrics = createHostMetrics();
    metrics.invocationStarted('Hello');
    metrics.invocationFinished('Hello', 'failure', 1500);
    const base = await serve(new FakeHost(fns), { metrics: metrics.registry });
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE tide_function_executions_total counter\ntide_function_executions_total{function="Hello",outcome="failure"} 1\n');
    expect(text).toContain('tide_function_duration_seconds_bucket{function="Hello",le="2.5"} 1\n'); // 1.5 s
    expect(text).toContain('tide_function_duration_seconds_bucket{function="Hello",le="1"} 0\n');
  });
});
