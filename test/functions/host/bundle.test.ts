// The runtime bundle: one file that serves an app on its own, with nothing of the operator or CLI in it.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleHost } from '../../../scripts/bundle-host.js';

describe('runtime bundle (dist/runtime/tide-host.mjs)', () => {
  it('bundles only the host and serves an app as the container entry; SIGTERM exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tide-bundle-'));
    const outfile = join(dir, 'tide-host.mjs');
    const inputs = await bundleHost(outfile);
    expect(inputs.filter((p) => /src\/(cli|operator|kube|engine|metrics-server|webhooks|local)\//.test(p))).toEqual([]);

    const app = join(dir, 'app');
    mkdirSync(join(app, 'Ping'), { recursive: true });
    writeFileSync(join(app, 'host.json'), '{"version":"2.0"}');
    writeFileSync(join(app, 'Ping', 'function.json'), JSON.stringify({ bindings: [{ name: 'req', type: 'httpTrigger', direction: 'in', authLevel: 'anonymous' }, { name: '$return', type: 'http', direction: 'out' }] }));
    writeFileSync(join(app, 'Ping', 'index.js'), 'module.exports = async () => ({ body: "pong" });');

    const child = spawn(process.execPath, [outfile], { env: { PATH: process.env.PATH, AzureWebJobsScriptRoot: app, PORT: '0', TIDE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /Host started on (\S+)/.exec(stderr);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('exit', () => { reject(new Error(`host exited: ${stderr}`)); });
    });
    expect(await (await fetch(`${url}/api/Ping`)).text()).toBe('pong');
    expect((await fetch(`${url}/`)).status).toBe(200);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => { resolve(c); });
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  }, 60_000);
});
