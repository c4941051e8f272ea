import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { durationFlag, readDevOptions, runDevApiserver } from '../../src/cli/dev.js';
import type { CliIO } from '../../src/cli/io.js';
import { runCli, tempFiles } from '../helpers/cli.js';

const io = (cwd = '/work'): CliIO & { out: string[]; err: string[] } => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTTY: false, cwd, env: {} };
};

/** Resolves once `check` is true, polling every 10 ms (at most 5 s). */
async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error('timed out');
}

describe('durationFlag', () => {
  it.each([
    ['15s', 15_000], ['500ms', 500], ['1m', 60_000], ['1m30s', 90_000], ['1.5s', 1_500], ['2h', 7_200_000], ['0', 0], ['0s', 0],
  ])('%s → %i ms', (text, ms) => { expect(durationFlag('x', text, 7)).toBe(ms); });

  it('an absent flag gives the fallback', () => { expect(durationFlag('x', undefined, 7)).toBe(7); });

  it.each(['15', 'fast', '1d', '-1s', '', '15 s'])('"%s" is a usage error naming the flag', (text) => {
    expect(() => durationFlag('hpa-sync-period', text, 0)).toThrow(`--hpa-sync-period must be a duration like 15s, 500ms or 1m, got "${text}"`);
  });
});

describe('tide dev flags', () => {
  it('defaults: port 6443, HPA sync 15s, pods ready at once, no kubeconfig file', () => {
    expect(readDevOptions(['apiserver'], io())).toEqual({ port: 6443, kubeconfigOut: undefined, hpaSyncPeriodMs: 15_000, podStartDelayMs: 0 });
  });

  it('reads every flag; the kubeconfig path is relative to the working directory', () => {
    const o = readDevOptions(['apiserver', '--port', '7000', '--kubeconfig-out', 'kc.yaml', '--hpa-sync-period', '500ms', '--pod-start-delay', '2s'], io('/tmp/x'));
    expect(o).toEqual({ port: 7000, kubeconfigOut: '/tmp/x/kc.yaml', hpaSyncPeriodMs: 500, podStartDelayMs: 2_000 });
  });

  it.each([
    [['dev'], 'name what to run: apiserver'],
    [['dev', 'operator'], 'unknown dev command "operator" (only apiserver)'],
    [['dev', 'apiserver', 'extra'], 'unexpected argument "extra"'],
    [['dev', 'apiserver', '--port', 'abc'], '--port must be a number ≥ 0, got "abc"'],
    [['dev', 'apiserver', '--port', '70000'], '--port must be an integer from 0 to 65535, got "70000"'],
    [['dev', 'apiserver', '--hpa-sync-period', '15'], '--hpa-sync-period must be a duration like 15s, 500ms or 1m, got "15"'],
    [['dev', 'apiserver', '--pod-start-delay', 'soon'], '--pod-start-delay must be a duration like 15s, 500ms or 1m, got "soon"'],
    [['dev', 'apiserver', '--bogus'], "Unknown option '--bogus'"],
  ])('%j exits 2 with a usage error', async (argv, message) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`tide dev: ${message}`);
    expect(r.stderr).toContain('Usage: tide dev apiserver');
  });

  it('dev --help prints the usage', async () => {
    const r = await runCli(['dev', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--hpa-sync-period 15s');
  });
});

describe('tide dev apiserver', () => {
  it('serves, writes a kubeconfig pointing at the printed URL, notes HPAs are not acted on, and stops on SIGINT with exit 0', async () => {
    const dir = tempFiles({});
    const run = runCli(['dev', 'apiserver', '--port', '0', '--kubeconfig-out', 'sub/kc.yaml', '--hpa-sync-period', '1m'], dir);
    let url = '';
    await waitFor(() => {
      try {
        url = (parse(readFileSync(join(dir, 'sub/kc.yaml'), 'utf8')) as { clusters: { cluster: { server: string } }[] }).clusters[0]?.cluster.server ?? '';
        return url !== '';
      } catch {
        return false;
      }
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const version = (await (await fetch(`${url}/version`)).json()) as { minor: string };
    expect(version.minor).toBe('31');
    const crds = (await (await fetch(`${url}/apis/keda.sh/v1alpha1`)).json()) as { resources: { name: string }[] };
    expect(crds.resources.map((r) => r.name)).toContain('scaledobjects');
    process.emit('SIGINT');
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${url}\n`);
    expect(r.stderr).toContain('HPA controller syncs every');
    expect(r.stderr).toContain('60000ms');
    expect(r.stderr).toContain(`export KUBECONFIG=${join(dir, 'sub/kc.yaml')}`);
    await expect(fetch(`${url}/version`)).rejects.toThrow();
  });

  it('a port in use is an input error (exit 1) naming the port', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => { r(); }));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const r = await runCli(['dev', 'apiserver', '--port', String(port)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
    } finally {
      blocker.close();
    }
  });

  it('runDevApiserver stops when its stop promise resolves', async () => {
    const o = io();
    let release = (): void => undefined;
    const code = await runDevApiserver({ port: 0, kubeconfigOut: undefined, hpaSyncPeriodMs: 15_000, podStartDelayMs: 0 }, o, () => new Promise<void>((r) => { release = r; setTimeout(r, 0); }));
    release();
    expect(code).toBe(0);
    expect(o.out.join('')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\n$/);
  });
});
