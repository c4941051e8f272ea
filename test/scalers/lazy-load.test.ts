// Importing the scaler registry (parsing, validation, webhooks) or the operator loads no broker client
// library: each scaler loads its library when a trigger of its type connects. A child node process
// records every module it resolves (a resolve hook registered before the imports: ESM imports, CommonJS
// packages imported from ESM included) and the files in require.cache (require() calls, which the hook
// does not see), and reports the packages under node_modules.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The client libraries scalers connect with, each tens of MiB once loaded. */
const BROKER_LIBRARIES = [
  '@azure/event-hubs', '@azure/service-bus', '@azure/storage-blob', '@azure/storage-queue', '@grpc/grpc-js', '@grpc/proto-loader',
  'amqplib', 'fast-xml-parser', 'ioredis', 'kafkajs', 'mysql2', 'nats', 'pg', 'rhea',
];

// Runs on the loader thread: records resolved URLs; `lazy-load:report` answers them as a module.
const HOOKS = `
const seen = new Set();
export async function resolve(specifier, context, next) {
  if (specifier === 'lazy-load:report') return { url: 'data:text/javascript,export default ' + encodeURIComponent(JSON.stringify([...seen])), shortCircuit: true };
  const resolved = await next(specifier, context);
  seen.add(resolved.url);
  return resolved;
}`;

function script(modules: readonly string[]): string {
  return [
    `import { createRequire, register } from 'node:module';`,
    `register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));`,
    ...modules.map((m) => `await import(${JSON.stringify(new URL(m, `file://${ROOT}`).href)});`),
    `const { default: urls } = await import('lazy-load:report');`,
    `console.log(JSON.stringify([...urls, ...Object.keys(createRequire(import.meta.url).cache)]));`,
  ].join('\n');
}

/** The packages (scope included) whose files the child process loaded while importing `modules`. */
async function packagesLoadedBy(modules: readonly string[]): Promise<Set<string>> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(modules)], { cwd: ROOT });
  const loaded = JSON.parse(stdout) as string[];
  const packages = loaded.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []);
  return new Set(packages);
}

test('importing the scaler registry loads no broker client library', async () => {
  const loaded = await packagesLoadedBy(['src/scalers/index.ts', 'src/scalers/instance.ts']);
  // The hook sees packages: the registry's own dependency is there.
  expect(loaded).toContain('cron-parser');
  expect(BROKER_LIBRARIES.filter((name) => loaded.has(name))).toEqual([]);
}, 60_000);

test('importing the operator loads no broker client library', async () => {
  const loaded = await packagesLoadedBy(['src/operator/operator.ts']);
  expect(loaded).toContain('@kubernetes/client-node');
  expect(BROKER_LIBRARIES.filter((name) => loaded.has(name))).toEqual([]);
}, 60_000);
