// `tide dev apiserver`: the fake Kubernetes API server (src/kube/testing) as a process, for trying
// tide and kubectl without a cluster. It writes a kubeconfig, prints its URL, and stops on SIGINT/SIGTERM.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SERVICE_URL_ANNOTATION, startFakeApiServer } from '../kube/testing/index.js';
import { numberFlag, parseFlags } from './args.js';
import type { Command } from './command.js';
import { ExitCode, InputError, UsageError, type CliIO } from './io.js';
import { untilSignal } from './signals.js';

const OPTIONS = {
  port: { type: 'string' },
  'kubeconfig-out': { type: 'string' },
  'hpa-sync-period': { type: 'string' },
  'pod-start-delay': { type: 'string' },
} as const;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go-style duration flag (`15s`, `500ms`, `1m30s`, `0`) into milliseconds. */
export function durationFlag(name: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const text = value.trim();
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/gy)];
  if (text === '' || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(`--${name} must be a duration like 15s, 500ms or 1m, got "${value}"`);
  }
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] ?? ''] ?? 0), 0));
}

/** What `dev apiserver` was asked for. */
export interface DevApiserverOptions {
  port: number;
  kubeconfigOut: string | undefined;
  hpaSyncPeriodMs: number;
  podStartDelayMs: number;
}

/** Reads `apiserver` and its flags. */
export function readDevOptions(argv: readonly string[], io: CliIO): DevApiserverOptions {
  const { values, positionals } = parseFlags(argv, OPTIONS);
  const [sub, ...extra] = positionals;
  if (sub === undefined) throw new UsageError('name what to run: apiserver');
  if (sub !== 'apiserver') throw new UsageError(`unknown dev command "${sub}" (only apiserver)`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra.join(' ')}"`);
  const port = numberFlag('port', values.port, 6443);
  if (!Number.isInteger(port) || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got "${values.port ?? ''}"`);
  const out = values['kubeconfig-out'];
  return {
    port,
    kubeconfigOut: out === undefined ? undefined : resolve(io.cwd, out),
    hpaSyncPeriodMs: durationFlag('hpa-sync-period', values['hpa-sync-period'], 15_000),
    podStartDelayMs: durationFlag('pod-start-delay', values['pod-start-delay'], 0),
  };
}


/** Runs the fake API server until `stopped()` (called once it listens) resolves; the URL goes to stdout, notes to stderr. */
export async function runDevApiserver(options: DevApiserverOptions, io: CliIO, stopped: () => Promise<unknown>): Promise<number> {
  let server;
  try {
    server = await startFakeApiServer({ port: options.port, podStartDelayMs: options.podStartDelayMs, hpaSyncPeriodMs: options.hpaSyncPeriodMs });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new InputError(`cannot listen on 127.0.0.1:${options.port} (${code}); choose another --port`);
    throw error;
  }
  try {
    if (options.kubeconfigOut !== undefined) {
      mkdirSync(dirname(options.kubeconfigOut), { recursive: true });
      writeFileSync(options.kubeconfigOut, server.kubeconfig);
      io.stderr(`kubeconfig written to ${options.kubeconfigOut} (context tide-fake): export KUBECONFIG=${options.kubeconfigOut}\n`);
    }
    io.stderr(`HPA controller syncs every ${options.hpaSyncPeriodMs}ms; External metrics come from the APIService v1beta1.external.metrics.k8s.io: set its annotation ${SERVICE_URL_ANNOTATION} to the metrics adapter's URL.\n`);
    io.stdout(`${server.url}\n`);
    await stopped();
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof Error && 'code' in error) throw new InputError(`cannot write the kubeconfig: ${error.message}`);
    throw error;
  } finally {
    await server.stop();
  }
}

export const devCommand: Command = {
  name: 'dev',
  summary: 'local development helpers: a fake Kubernetes API server (dev apiserver)',
  usage: [
    'Usage: tide dev apiserver [--port 6443] [--kubeconfig-out FILE] [--hpa-sync-period 15s] [--pod-start-delay 0s]',
    '',
    'Starts an in-memory Kubernetes API server on 127.0.0.1 with the KEDA CRDs and simulated Deployment,',
    'StatefulSet, Job, pod and HPA controllers; kubectl (apply --server-side, get, scale, delete) works against it.',
    'The HPA controller reads External metrics from the APIService v1beta1.external.metrics.k8s.io; the fake has',
    `no cluster network, so annotate that APIService with ${SERVICE_URL_ANNOTATION}=<adapter URL> (see docs/dev-apiserver.md).`,
    'Prints its URL; --kubeconfig-out writes a kubeconfig for it. Ctrl+C stops it. --port 0 picks a free port.',
    'Durations take ms, s, m, h (e.g. 500ms, 1m30s).',
  ].join('\n'),
  run: (argv, io) => runDevApiserver(readDevOptions(argv, io), io, untilSignal),
};
