// librdkafka's mock Kafka cluster (Debian librdkafka-dev) for the kafka scaler tests: the C launcher in
// kafka-mock.c is compiled once into a cache dir (keyed by its source), started on loopback with the
// topics a test needs, and stopped by PID. Closing its stdin also stops it, so nothing outlives a run.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { hasProgram } from './availability.js';

const SOURCE = fileURLToPath(new URL('./kafka-mock.c', import.meta.url));

/** A running mock cluster. */
export interface KafkaMock {
  /** `127.0.0.1:<port>[,…]` */
  readonly bootstrap: string;
  stop(): Promise<void>;
}

function hasLibrdkafka(): boolean {
  try {
    execFileSync('pkg-config', ['--exists', 'rdkafka'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether to skip the kafka suites: outside CI only, when gcc, pkg-config or librdkafka-dev is missing. */
export function skipWithoutKafkaMock(): boolean {
  const ok = hasProgram('gcc') && hasProgram('pkg-config') && hasLibrdkafka();
  if (ok) return false;
  if (process.env.CI === 'true') throw new Error('CI must install gcc, pkg-config and librdkafka-dev (see .ci/run)');
  console.warn('skipping: gcc, pkg-config or librdkafka-dev not installed (bash .ci/run installs them)');
  return true;
}

/** Compiles the launcher unless a binary of this exact source is cached; returns its path. */
export function buildKafkaMock(): string {
  const source = readFileSync(SOURCE);
  const digest = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'tide-test-cache');
  const binary = join(dir, `kafka-mock-${digest}`);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'rdkafka'], { encoding: 'utf8' }).trim().split(/\s+/);
  // Build under a unique name and rename, so parallel test files never run a half-written binary.
  const partial = `${binary}.${process.pid}.tmp`;
  execFileSync('gcc', ['-O2', '-o', partial, SOURCE, ...flags, '-lpthread'], { stdio: ['ignore', 'ignore', 'pipe'] });
  renameSync(partial, binary);
  return binary;
}

/** Starts a mock cluster with `topics` (name → partition count, or 'missing': the broker answers UNKNOWN_TOPIC_OR_PARTITION). */
export async function startKafkaMock(topics: Readonly<Record<string, number | 'missing'>>, brokers = 1): Promise<KafkaMock> {
  const binary = buildKafkaMock();
  const args = [String(brokers), ...Object.entries(topics).map(([name, partitions]) => `${name}:${partitions}`)];
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const bootstrap = await firstLine(child);
  return { bootstrap, stop: () => stop(child) };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => {
      reject(new Error(`kafka mock exited with ${String(code)}: ${stderr}`));
    });
    if (!child.stdout) throw new Error('kafka mock has no stdout');
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      lines.close();
      resolve(line.trim());
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
