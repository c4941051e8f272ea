// End to end without the host: the HTTP server's trigger event goes through the lead's dispatcher into
// the v3 invoker, and the v3 function's `context.res` comes back as the HTTP response.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { BindingDefinition, FunctionDefinition } from '../../../../src/app/function-model.js';
import { createDispatch } from '../../../../src/functions/host/dispatcher.js';
import type { HostControl } from '../../../../src/functions/host/http/host-control.js';
import { startHttpServer } from '../../../../src/functions/host/http/server.js';
import { V3Invoker } from '../../../../src/functions/host/invoke-v3.js';

const root = mkdtempSync(join(tmpdir(), 'tide-v3srv-'));
const servers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(root, { recursive: true, force: true });
});

it('a v3 callback-style HTTP function answers through the server', async () => {
  const directory = join(root, 'Greet');
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, 'index.js'),
    `module.exports = function (context, req) {
       const name = req.query.name || (req.body && req.body.name);
       if (!name) { context.res = { status: 400, body: 'name?' }; context.done(); return; }
       context.res.status(200).json({ hello: name, id: context.bindingData.id });
     };`,
  );
  const trigger: BindingDefinition = { name: 'req', type: 'httpTrigger', direction: 'in', options: { authLevel: 'anonymous', route: 'greet/{id:int}', methods: ['get', 'post'] } };
  const fn: FunctionDefinition = { name: 'Greet', trigger, bindings: [trigger, { name: 'res', type: 'http', direction: 'out', options: {} }], disabled: false, source: { model: 'v3', scriptFile: 'index.js', directory } };
  const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const dispatch = createDispatch(fn, new V3Invoker(fn, { log: silent }), { outputs: new Map() });
  const host: HostControl = {
    functions: () => [fn],
    dispatchHttp: (_fn, event) => dispatch(event),
    invoke: () => Promise.resolve(),
    state: () => 'Running',
    errors: () => [],
    drain: () => Promise.resolve(),
    drainStatus: () => ({ state: 'Disabled', outstandingInvocations: 0, outstandingRetries: 0 }),
    resume: () => Promise.resolve(),
  };
  const server = await startHttpServer({ host, log: silent, authEnabled: true, port: 0, address: '127.0.0.1' });
  servers.push(server);

  const get = await fetch(`${server.url}/api/greet/7?name=ann`);
  expect([get.status, get.headers.get('content-type'), await get.json()]).toEqual([200, 'application/json', { hello: 'ann', id: 7 }]);
  const post = await fetch(`${server.url}/api/greet/8`, { method: 'POST', body: '{"name":"bob"}', headers: { 'content-type': 'application/json' } });
  expect(await post.json()).toEqual({ hello: 'bob', id: 8 });
  const bad = await fetch(`${server.url}/api/greet/9`);
  expect([bad.status, await bad.text(), bad.headers.get('content-type')]).toEqual([400, 'name?', 'text/plain; charset=utf-8']);
});
