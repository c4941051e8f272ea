import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionApp, type FunctionApp } from '../../../src/app/load-app.js';
import type { RpcInvocationRequest, RpcInvocationResponse, RpcTypedData } from '../../../src/app/rpc.js';
import type { HostLogger } from '../../../src/functions/host/contract.js';
import { invocationRequest } from '../../../src/functions/host/dispatcher.js';
import { V4Invoker } from '../../../src/functions/host/invoke-v4.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/apps/${name}`, import.meta.url));
const seen = (): Record<string, Record<string, unknown>> => (globalThis as { __tideFixtureSeen?: Record<string, Record<string, unknown>> }).__tideFixtureSeen ?? {};

interface Logged { level: string; message: string; fields: Record<string, unknown> | undefined }
function logger(): HostLogger & { lines: Logged[] } {
  const lines: Logged[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => lines.push({ level, message, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

let jsApp: FunctionApp;
let esmApp: FunctionApp;
beforeAll(async () => {
  jsApp = await loadFunctionApp(fixture('v4-js'), {});
  esmApp = await loadFunctionApp(fixture('v4-esm'), {});
});

/** Invokes one function of a loaded app with the request the dispatcher builds for a trigger event. */
async function invoke(app: FunctionApp, name: string, value: RpcTypedData, metadata: Record<string, RpcTypedData> = {}, log = logger()): Promise<RpcInvocationResponse> {
  const fn = app.functions.find((f) => f.name === name);
  if (!fn || !app.runtime) throw new Error(`no function ${name}`);
  const request: RpcInvocationRequest = invocationRequest(fn, { value, metadata }, `inv-${name}`);
  return new V4Invoker(fn, app.runtime, { log }).invoke(request);
}
const output = (r: RpcInvocationResponse, name: string): RpcTypedData | undefined => r.outputData?.find((o) => o.name === name)?.data ?? undefined;
const queueMetadata: Record<string, RpcTypedData> = {
  DequeueCount: { json: '2' },
  Id: { string: 'msg-1' },
  PopReceipt: { string: 'pr' },
  InsertionTime: { json: '"2024-01-02T03:04:05+00:00"' },
};

describe('v4 queue function (app.storageQueue)', () => {
  it('gets the JSON-parsed message and camel-cased metadata; extraOutputs and the result come back', async () => {
    const log = logger();
    const response = await invoke(jsApp, 'queueWorker', { string: '{"order":7}' }, queueMetadata, log);
    expect(response.result).toEqual({ status: 'success' });
    expect(response.invocationId).toBe('inv-queueWorker');
    expect(seen()['queueWorker']).toMatchObject({
      item: { order: 7 },
      triggerMetadata: { dequeueCount: 2, id: 'msg-1', popReceipt: 'pr', insertionTime: '2024-01-02T03:04:05+00:00' },
      functionName: 'queueWorker',
      invocationId: 'inv-queueWorker',
    });
    // An object output goes out as json; with no $return binding a non-HTTP result is still returnValue.
    const out = output(response, queueOutputName(jsApp));
    expect(JSON.parse(out?.json ?? 'null')).toEqual({ processed: { order: 7 } });
    expect(response.returnValue).toEqual({ string: 'done' });
    expect(log.lines).toContainEqual({ level: 'info', message: 'processing { order: 7 }', fields: { functionName: 'queueWorker', invocationId: 'inv-queueWorker', category: 'user' } });
  });

  it('a plain-text message stays a string', async () => {
    await invoke(jsApp, 'queueWorker', { string: 'hello world' }, queueMetadata);
    expect(seen()['queueWorker']?.['item']).toBe('hello world');
  });

  it('a throwing handler gives a failure response with the exception message and no outputs', async () => {
    const response = await invoke(jsApp, 'queueWorker', { string: '{"fail":"bad order"}' }, queueMetadata);
    expect(response.result?.status).toBe('failure');
    expect(response.result?.exception?.message).toBe('asked to fail: bad order');
    expect(response.outputData).toEqual([]);
  });

  it('an input that names no binding is a failure naming the bindings', async () => {
    const fn = jsApp.functions.find((f) => f.name === 'queueWorker');
    if (!fn || !jsApp.runtime) throw new Error('fixture');
    const response = await new V4Invoker(fn, jsApp.runtime, { log: logger() }).invoke({ invocationId: 'x', inputData: [{ name: 'nope', data: { string: 'a' } }], triggerMetadata: {} });
    expect(response.result?.status).toBe('failure');
    expect(response.result?.exception?.message).toMatch(/Failed to find binding "nope"/);
  });
});

function queueOutputName(app: FunctionApp): string {
  const binding = app.functions.find((f) => f.name === 'queueWorker')?.bindings.find((b) => b.type === 'queue');
  return binding?.name ?? '';
}

describe('v4 HTTP function (app.http)', () => {
  it('sees method, url, query, headers, route params and body; the response is the §6.3 http shape', async () => {
    const http = {
      method: 'POST',
      url: 'http://localhost:7071/api/hello/ada?x=1',
      headers: { 'x-test': 'yes', 'content-type': 'text/plain' },
      query: { x: '1' },
      params: { name: 'ada' },
      body: { bytes: new TextEncoder().encode('ping') },
    };
    const response = await invoke(jsApp, 'hello', { http }, { name: { string: 'ada' } });
    expect(response.result).toEqual({ status: 'success' });
    expect(seen()['hello']).toEqual({ method: 'POST', url: 'http://localhost:7071/api/hello/ada?x=1', x: '1', header: 'yes', name: 'ada', body: 'ping', triggerMetadata: undefined });
    const returned = response.returnValue?.http;
    expect(returned?.statusCode).toBe('201');
    expect(returned?.headers).toMatchObject({ 'x-out': 'yes', 'content-type': 'application/json' });
    const body = returned?.body?.bytes;
    expect(JSON.parse(Buffer.from(body ?? new Uint8Array()).toString('utf8'))).toEqual({ greeting: 'Hello, ada', body: 'ping' });
    // app.http registers the defaults of §6.3 plus what the app set.
    const trigger = jsApp.functions.find((f) => f.name === 'hello')?.trigger;
    expect(trigger?.options).toMatchObject({ authLevel: 'function', methods: ['GET', 'POST'], route: 'hello/{name?}' });
  });
});

describe('v4 timer and generic (rabbitMQTrigger) functions', () => {
  it('a timer value is camel-cased recursively', async () => {
    const json = JSON.stringify({ Schedule: { AdjustForDST: true }, ScheduleStatus: { Last: '2024-01-01T00:00:00Z', Next: '2024-01-01T00:05:00Z', LastUpdated: '2024-01-01T00:00:00Z' }, IsPastDue: false });
    const response = await invoke(jsApp, 'tick', { json });
    expect(response.result?.status).toBe('success');
    expect(seen()['tick']).toEqual({ schedule: { adjustForDST: true }, scheduleStatus: { last: '2024-01-01T00:00:00Z', next: '2024-01-01T00:05:00Z', lastUpdated: '2024-01-01T00:00:00Z' }, isPastDue: false });
  });

  it('a rabbitMQ message body and metadata arrive; the result is the $return output', async () => {
    const response = await invoke(jsApp, 'rabbitWorker', { string: '{"id":42}' }, { DeliveryTag: { json: '9' }, Redelivered: { json: 'false' }, RoutingKey: { string: 'orders' } });
    expect(seen()['rabbitWorker']).toEqual({ order: { id: 42 }, triggerMetadata: { deliveryTag: 9, redelivered: false, routingKey: 'orders' } });
    expect(response.returnValue).toEqual({ string: 'shipped 42' });
  });
});

describe('v4 hooks (app.hook.*)', () => {
  it('appStart ran at load; appTerminate runs on terminate() and sees the hookData appStart left', async () => {
    expect(seen()['appStart']).toEqual({ ran: true });
    expect(seen()['appTerminate']).toBeUndefined();
    await jsApp.runtime?.terminate();
    expect(seen()['appTerminate']).toEqual({ startedBy: 'appStart' });
  });

  it.each([
    // preInvocation swaps the input; postInvocation appends what preInvocation left in hookData.
    ['replace-me', { string: 'saw replaced by preInvocation (pre hook ran)' }],
    ['plain', { string: 'saw plain (pre hook ran)' }],
    // The handler throws "boom"; postInvocation clears the error and sets a result.
    ['boom', { string: 'rescued by postInvocation' }],
  ])('input %s → $return %j', async (input, expected) => {
    const response = await invoke(jsApp, 'hooked', { string: input }, queueMetadata);
    expect(response.result).toEqual({ status: 'success' });
    expect(response.returnValue).toEqual(expected);
  });
});

describe('v4 ES module app (type: module, main with braces)', () => {
  it('both files were loaded and the queue function runs', async () => {
    expect(esmApp.functions.map((f) => f.name).sort()).toEqual(['esmGet', 'esmQueue']);
    const response = await invoke(esmApp, 'esmQueue', { string: '[1,2]' }, { DequeueCount: { json: '3' } });
    expect(response.returnValue).toEqual({ string: 'esm saw [1,2] on try 3' });
  });

  it('app.get answers GET with its body', async () => {
    const response = await invoke(esmApp, 'esmGet', { http: { method: 'GET', url: 'http://localhost/api/esmGet', headers: {} } });
    expect(response.returnValue?.http?.statusCode).toBe('200');
    expect(Buffer.from(response.returnValue?.http?.body?.bytes ?? new Uint8Array()).toString()).toBe('GET /api/esmGet');
  });
});
