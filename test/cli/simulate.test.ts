import { describe, expect, it } from 'vitest';
import { runCli, tempFiles } from '../helpers/cli.js';

const SO = 'examples/queue-burst/scaledobject.yaml';
const TRACE = 'examples/queue-burst/trace.csv';

interface Line {
  t: number;
  replicas: number;
  desired: number;
  active: boolean;
  reason: string;
}

const lines = (stdout: string): Line[] => stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);

describe('tide simulate', () => {
  it('--output json prints one line per evaluation with the documented keys; summary on stderr', async () => {
    const run = await runCli(['simulate', SO, '--trace', TRACE, '--output', 'json']);
    expect(run.code).toBe(0);
    const steps = lines(run.stdout);
    expect(Object.keys(steps[0] ?? {}).slice(0, 5)).toEqual(['t', 'replicas', 'desired', 'active', 'reason']);
    expect(steps.filter((s) => s.t === 60).map((s) => s.replicas)).toEqual([1, 4]);
    expect(run.stderr).toContain('time to first replica: t=60s');
  });

  it('--mode direct reaches the same peak at the first poll after the backlog', async () => {
    const keda = lines((await runCli(['simulate', SO, '--trace', TRACE, '-o', 'json'])).stdout);
    const direct = lines((await runCli(['simulate', SO, '--trace', TRACE, '-o', 'json', '--mode', 'direct'])).stdout);
    const peak = (steps: Line[]) => Math.max(...steps.map((s) => s.replicas));
    expect(peak(direct)).toBe(peak(keda));
    expect(direct.find((s) => s.t === 60)?.replicas).toBe(peak(keda));
  });

  it('text output draws a chart and a summary', async () => {
    const run = await runCli(['simulate', SO, '--trace', TRACE]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('replicas\n');
    expect(run.stdout).toMatch(/^40 \|/m);
    expect(run.stdout).toContain('time back to zero:     t=660s');
  });

  it('--start moves the cron window; --output yaml prints a list', async () => {
    const run = await runCli(['simulate', 'examples/cron-window/scaledobject.yaml', '--trace', 'examples/cron-window/trace.csv', '--start', '2026-03-02T06:30:00Z', '-o', 'yaml']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^- t: 0\n {2}replicas: 0/);
    expect(run.stdout).toContain('reason: KEDAScaleTargetActivated');
  });

  it.each([
    [['simulate', SO], 2, '--trace <file> is required'],
    [['simulate', SO, '--trace', TRACE, '--mode', 'fast'], 2, '--mode must be keda or direct'],
    [['simulate', SO, '--trace', TRACE, '--start', 'yesterday'], 2, '--start must be an ISO time'],
    [['simulate', SO, '--trace', TRACE, '--hpa-sync-period', '0'], 2, '--hpa-sync-period must be a number ≥ 1'],
    [['simulate', SO, '--trace', 'nope.csv'], 1, 'nope.csv: cannot read: no such file'],
  ])('%j exits %d', async (argv, code, message) => {
    const run = await runCli(argv);
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(message);
  });

  it('an invalid ScaledObject is reported like tide validate, exit 1, no stack trace', async () => {
    const dir = tempFiles({
      'so.yaml': 'apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: w}\nspec:\n  scaleTargetRef: {name: w}\n  minReplicaCount: -1\n  triggers:\n    - type: azure-queue\n      metadata: {queueName: q, connectionFromEnv: X}\n',
      'trace.csv': 't,0\n0,1\n',
    });
    const run = await runCli(['simulate', 'so.yaml', '--trace', 'trace.csv'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('so.yaml: ScaledObject/w: spec.minReplicaCount:');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('a trace with a missing column names the trigger and the file', async () => {
    const dir = tempFiles({ 'trace.csv': 't,queue\n0,1\n' });
    const run = await runCli(['simulate', `${process.cwd()}/${SO}`, '--trace', 'trace.csv'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('trace.csv: no column for trigger "orders" (azure-queue)');
  });

  it('a file with two ScaledObjects needs --name', async () => {
    const one = 'apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: NAME}\nspec:\n  scaleTargetRef: {name: w}\n  triggers:\n    - type: azure-queue\n      metadata: {queueName: q, connectionFromEnv: X}\n';
    const dir = tempFiles({ 'so.yaml': `${one.replace('NAME', 'a')}---\n${one.replace('NAME', 'b')}`, 'trace.csv': 't,0\n0,1\n60,0\n' });
    expect((await runCli(['simulate', 'so.yaml', '--trace', 'trace.csv'], dir)).stderr).toContain('2 ScaledObjects (a, b); pick one with --name');
    expect((await runCli(['simulate', 'so.yaml', '--trace', 'trace.csv', '--name', 'b'], dir)).code).toBe(0);
  });
});

describe('tide', () => {
  it.each([
    [[], 2, 'Usage: tide <command>'],
    [['frobnicate'], 2, 'unknown command "frobnicate"'],
  ])('%j exits %d', async (argv, code, message) => {
    const run = await runCli(argv);
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(message);
  });

  it('--help and --version print to stdout', async () => {
    expect((await runCli(['--help'])).stdout).toContain('simulate');
    expect((await runCli(['simulate', '--help'])).stdout).toContain('Usage: tide simulate');
    expect((await runCli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
