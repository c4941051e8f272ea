import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BindingDefinition, FunctionDefinition } from '../../../src/app/function-model.js';
import type { RpcHttpData, RpcInvocationResponse } from '../../../src/app/rpc.js';
import { V3Invoker } from '../../../src/functions/host/invoke-v3.js';

const root = mkdtempSync(join(tmpdir(), 'tide-v3http-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});
let n = 0;
const b = (name: string, type: string, direction: BindingDefinition['direction'], options: Record<string, unknown> = {}): BindingDefinition => ({ name, type, direction, options });
const httpIn = b('req', 'httpTrigger', 'in', { authLevel: 'anonymous' });

function httpFn(code: string, out: BindingDefinition = b('res', 'http', 'out')): FunctionDefinition {
  const directory = join(root, `F${++n}`);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'index.js'), code);
  return { name: 'Hello', trigger: httpIn, bindings: [httpIn, out], disabled: false, source: { model: 'v3', scriptFile: 'index.js', directory } };
}

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
function call(def: FunctionDefinition, http: RpcHttpData): Promise<RpcInvocationResponse> {
  return new V3Invoker(def, { log: silent, now: () => 0 }).invoke({
    invocationId: 'i1',
    inputData: [{ name: 'req', data: { http } }],
    triggerMetadata: { id: { string: '42' }, Query: { json: '{"name":"ann"}' }, Headers: { json: '{"x-a":"1"}' } },
  });
}
const get: RpcHttpData = { method: 'GET', url: 'http://localhost/api/hello/42?name=ann', headers: { 'X-A': '1' }, query: { name: 'ann' }, params: { id: '42' } };
const post = (body: string, type: string): RpcHttpData => ({ method: 'POST', url: 'http://localhost/api/hello', headers: { 'content-type': type }, query: {}, params: {}, body: { bytes: Buffer.from(body) } });
const httpOut = (r: RpcInvocationResponse, name = 'res') => (name === '$return' ? r.returnValue?.http : r.outputData?.find((o) => o.name === name)?.data?.http);

describe('v3 HTTP functions', () => {
  it('req exposes method, url, lower-case headers, query, params, get(); bindingData has route params, query, headers and sys', async () => {
    const code = `module.exports = async function (context, req) {
      context.res = { body: { method: req.method, url: req.url, original: req.originalUrl, header: req.get('X-A'), headers: req.headers, query: req.query, params: req.params,
        same: context.req === req, id: context.bindingData.id, bq: context.bindingData.query, bh: context.bindingData.headers, sys: context.bindingData.sys.methodName, utc: context.bindingData.sys.utcNow } };
    };`;
    const http = httpOut(await call(httpFn(code), get));
    expect(http?.statusCode).toBeNull();
    expect(JSON.parse(http?.body?.json ?? 'null')).toEqual({
      method: 'GET', url: get.url, original: get.url, header: '1', headers: { 'x-a': '1' }, query: { name: 'ann' }, params: { id: '42' },
      // v3 JSON-parses string metadata: route param "42" is the number 42 in bindingData (req.params keeps "42")
      same: true, id: 42, bq: { name: 'ann' }, bh: { 'x-a': '1' }, sys: 'Hello', utc: '1970-01-01T00:00:00.000Z',
    });
  });

  it.each([
    ['JSON body is parsed', '{"a":1}', 'application/json', { body: { a: 1 }, raw: '{"a":1}', isBuffer: false }],
    ['text body stays a string', 'hello', 'text/plain', { body: 'hello', raw: 'hello', isBuffer: false }],
    ['octet-stream body is a Buffer', 'AB', 'application/octet-stream', { body: { type: 'Buffer', data: [65, 66] }, raw: 'AB', isBuffer: true }],
  ])('%s', async (_name, body, type, expected) => {
    const code = `module.exports = async (context, req) => { context.res = { body: { body: req.body, raw: req.rawBody, isBuffer: Buffer.isBuffer(req.body) } }; };`;
    const http = httpOut(await call(httpFn(code), post(body, type)));
    expect(JSON.parse(http?.body?.json ?? 'null')).toEqual(expected);
  });

  it('parseFormBody reads url-encoded and multipart forms', async () => {
    const code = `module.exports = async (context, req) => { const f = req.parseFormBody(); const p = f.get('file');
      context.res = { body: { n: f.length, a: f.get('a') && f.get('a').value.toString(), has: f.has('zz'), file: p && [p.value.toString(), p.fileName, p.contentType] } }; };`;
    const urlencoded = JSON.parse(httpOut(await call(httpFn(code), post('a=1&b=two', 'application/x-www-form-urlencoded')))?.body?.json ?? 'null') as unknown;
    expect(urlencoded).toEqual({ n: 2, a: '1', has: false, file: null });
    const multipart = ['--XX', 'Content-Disposition: form-data; name="a"', '', 'va', '--XX', 'Content-Disposition: form-data; name="file"; filename="f.txt"', 'Content-Type: text/plain', '', 'line1\r\nline2', '--XX--', ''].join('\r\n');
    const parsed = JSON.parse(httpOut(await call(httpFn(code), post(multipart, 'multipart/form-data; boundary=XX')))?.body?.json ?? 'null') as unknown;
    expect(parsed).toEqual({ n: 2, a: 'va', has: false, file: ['line1\r\nline2', 'f.txt', 'text/plain'] });
  });

  it('callback style: res.status().set().send() completes and shapes the output', async () => {
    const code = `module.exports = function (context, req) { context.res.status(201).set('X-Id', 7).send('made'); };`;
    const http = httpOut(await call(httpFn(code), get));
    expect(http).toMatchObject({ statusCode: '201', headers: { 'x-id': '7' }, body: { string: 'made' }, cookies: [] });
  });

  it.each([
    ['res.json sets application/json', `module.exports = function (context) { context.res.json({ ok: true }); };`, { statusCode: null, headers: { 'content-type': 'application/json' }, body: { json: '{"ok":true}' } }],
    ['res.sendStatus(404)', `module.exports = function (context) { context.res.sendStatus(404); };`, { statusCode: '404', body: {} }],
    ['Buffer body gets octet-stream', `module.exports = function (context) { context.res.end(Buffer.from('x')); };`, { headers: { 'content-type': 'application/octet-stream' }, body: { bytes: new Uint8Array([120]) } }],
    ['removeHeader/getHeader', `module.exports = function (context) { const r = context.res.header('A', 1).header('B', 2).removeHeader('a'); r.send(String(r.getHeader('b'))); };`, { headers: { b: '2' }, body: { string: '2' } }],
    ['context.res object literal with status and cookies', `module.exports = async function (context) { context.res = { status: 302, headers: { Location: '/x' }, cookies: [{ name: 'c', value: 'v', httpOnly: true, sameSite: 'Strict', maxAge: 60 }] }; };`,
      { statusCode: '302', headers: { Location: '/x' }, cookies: [{ name: 'c', value: 'v', httpOnly: { value: true }, sameSite: 'strict', maxAge: { value: 60 } }] }],
    ['context.bindings.res wins over context.res', `module.exports = async function (context) { context.res = { body: 'res' }; context.bindings.res = { body: 'bound' }; };`, { body: { string: 'bound' } }],
    ['result object key names the http output', `module.exports = async function () { return { res: { statusCode: 202, body: 'r' } }; };`, { statusCode: '202', body: { string: 'r' } }],
  ])('%s', async (_name, code, expected) => {
    expect(httpOut(await call(httpFn(code), get))).toMatchObject(expected);
  });

  it('a $return http binding gets the result as returnValue, or context.res when nothing is returned', async () => {
    const ret = b('$return', 'http', 'out');
    expect(httpOut(await call(httpFn(`module.exports = async () => ({ status: 200, body: 'r' });`, ret), get), '$return')).toMatchObject({ statusCode: '200', body: { string: 'r' } });
    expect(httpOut(await call(httpFn(`module.exports = async (context) => { context.res = { body: 'c' }; };`, ret), get), '$return')).toMatchObject({ body: { string: 'c' } });
  });

  it('an HTTP function returning an unmatched non-object value sends no returnValue', async () => {
    const r = await call(httpFn(`module.exports = async (context) => { context.res = { body: 'c' }; return 'stray'; };`), get);
    expect(r.returnValue).toBeUndefined();
  });

  it('a non-object HTTP output is a failure', async () => {
    const r = await call(httpFn(`module.exports = async (context) => { context.bindings.res = 'text'; };`), get);
    expect(r.result?.status).toBe('failure');
    expect(r.result?.exception?.message).toContain('The HTTP response must be an object');
  });
});
