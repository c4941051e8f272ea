// `tide up` as users call it: bad input ends with a clear message and exit code before anything runs,
// and Ctrl-C on a real process drains every replica and exits 0.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { upStatePath } from '../../src/local/up-state.js';
import { runCli, tempFiles } from '../helpers/cli.js';
import { azuriteAndBundle, queueApp, scaledObjectYaml, until } from '../local/fixtures.js';

const TIDE = fileURLToPath(new URL('../helpers/tide.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const local = azuriteAndBundle();


function httpOnlyApp(): string {
  const dir = tempFiles({ 'host.json': '{"version":"2.0"}', 'local.settings.json': '{"Values":{}}' });
  mkdirSync(join(dir, 'Hello'));
  writeFileSync(join(dir, 'Hello', 'function.json'), JSON.stringify({ bindings: [{ name: 'req', type: 'httpTrigger', direction: 'in', methods: ['get'] }, { name: '$return', type: 'http', direction: 'out' }] }));
  writeFileSync(join(dir, 'Hello', 'index.js'), 'module.exports = async () => ({ body: "hi" });');
  return dir;
}

describe('tide up: bad input stops before anything runs', () => {
  it('a folder without host.json', async () => {
    const dir = tempFiles({ 'readme.txt': 'not an app' });
    const run = await runCli(['up', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`tide up: no function app in ${dir}: it has no host.json (run tide init, or name the app folder)\n`);
  });

  it('a --scaledobject file that does not exist, or is not valid', async () => {
    const app = queueApp({ connection: local.azurite.connection, queue: 'bad-input', workMs: 0 });
    const missing = await runCli(['up', app.dir, '--scaledobject', join(app.dir, 'nope.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.yaml');
    writeFileSync(join(app.dir, 'bad.yaml'), scaledObjectYaml('bad-input', { pollingInterval: 1, cooldownPeriod: 1, maxReplicaCount: 2 }).replace('maxReplicaCount: 2', 'maxReplicaCount: ten'));
    const invalid = await runCli(['up', app.dir, '--scaledobject', join(app.dir, 'bad.yaml')]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/bad\.yaml is not valid:\n.*bad\.yaml: ScaledObject\/hello: spec\.maxReplicaCount: must be a number, got "ten"/);
  });

  it('an app with no scalable trigger', async () => {
    const run = await runCli(['up', httpOnlyApp()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot derive a ScaledObject from the app');
    expect(run.stderr).toContain('no scalable trigger');
  });

  it('a trigger reading a setting the app does not have', async () => {
    const app = queueApp({ connection: local.azurite.connection, queue: 'bad-input', workMs: 0 });
    writeFileSync(join(app.dir, 'so.yaml'), scaledObjectYaml('bad-input', { pollingInterval: 1, cooldownPeriod: 1, maxReplicaCount: 2 }).replace('connectionFromEnv: AzureWebJobsStorage', 'connectionFromEnv: NO_SUCH_SETTING'));
    const run = await runCli(['up', app.dir, '--scaledobject', join(app.dir, 'so.yaml')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('metadata.connectionFromEnv: env var "NO_SUCH_SETTING" is not set or empty');
    expect(run.stderr).not.toContain(local.azurite.connection);
    expect(existsSync(upStatePath(app.dir))).toBe(false);
  });

  it('cpu and memory triggers, which need a cluster', async () => {
    const app = queueApp({ connection: local.azurite.connection, queue: 'bad-input', workMs: 0 });
    const yaml = `${scaledObjectYaml('bad-input', { pollingInterval: 1, cooldownPeriod: 1, maxReplicaCount: 2 })}    - type: cpu\n      metricType: Utilization\n      metadata:\n        value: "50"\n`;
    writeFileSync(join(app.dir, 'so.yaml'), yaml);
    const run = await runCli(['up', app.dir, '--scaledobject', join(app.dir, 'so.yaml')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('spec.triggers[1] (cpu): cpu and memory triggers are not available in local mode');
  });

  it('an unknown --mode is a usage error', async () => {
    const run = await runCli(['up', '.', '--mode', 'fast']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--mode must be keda or direct, got "fast"');
  });
});

describe('tide up: Ctrl-C', () => {
  it('drains every replica, removes .tide/up.json and exits 0', async () => {
    const name = `upsig${process.pid}`;
    await new QueueClient(local.azurite.connection, name).createIfNotExists();
    const app = queueApp({ connection: local.azurite.connection, queue: name, workMs: 0, scaledObject: scaledObjectYaml(name, { pollingInterval: 1, cooldownPeriod: 1, minReplicaCount: 1, maxReplicaCount: 2 }) });
    const child = spawn(process.execPath, ['--import', 'tsx', TIDE, 'up', app.dir, '--scaledobject', join(app.dir, 'scaledobject.yaml'), '--mode', 'direct'], {
      cwd: ROOT,
      env: { ...process.env, TIDE_HOST_BUNDLE: local.bundle },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code); }));
    try {
      expect(await until(() => /replica 0 ready on port \d+/.test(output), 30_000)).toBe(true);
      expect(existsSync(upStatePath(app.dir))).toBe(true);
      const pid = Number(/replica 0 started \(pid (\d+)/.exec(output)?.[1]);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output).toContain('SIGINT: draining 1 replica(s)');
      expect(output).toContain('replica 0 stopped (exit code 0)');
      expect(output).toContain('stopped: every replica drained');
      expect(() => process.kill(pid, 0)).toThrow();
      expect(existsSync(upStatePath(app.dir))).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
