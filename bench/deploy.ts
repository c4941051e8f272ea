// bench/deploy: building and pushing a function app image without Docker to a local docker-registry —
// a first build (empty layer cache, empty repository) side by side with a rebuild of the unchanged app
// (layers from the cache, every blob already in the registry). The app carries ~12 MB of real
// node_modules (zod, yaml, fast-xml-parser, pino copied from this repository).

import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAndPushAppImage, RegistryClient } from '../src/image/index.js';
import { hasProgram } from '../test/servers/availability.js';
import { startRegistry } from '../test/servers/registry.js';
import { pushBaseImage } from '../test/image/fixtures.js';

const ROUNDS = 3;
const PACKAGES = ['zod', 'yaml', 'fast-xml-parser', 'pino'];

function benchApp(base: string): string {
  const root = mkdtempSync(join(tmpdir(), 'tide-bench-image-'));
  mkdirSync(join(root, 'src', 'functions'), { recursive: true });
  for (const name of PACKAGES) cpSync(join('node_modules', name), join(root, 'node_modules', name), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'bench', version: '1.0.0', main: 'src/functions/*.js' }));
  writeFileSync(join(root, 'host.json'), JSON.stringify({ version: '2.0' }));
  writeFileSync(join(root, 'src', 'functions', 'hello.js'), "module.exports = () => 'hello';\n");
  writeFileSync(join(root, 'Dockerfile'), `FROM ${base}\nENV AzureWebJobsScriptRoot=/home/site/wwwroot\nWORKDIR /home/site/wwwroot\nCOPY . .\nCMD ["node", "/tide/tide-host.mjs"]\n`);
  return root;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Runs the image benchmark and returns printable lines. */
export async function benchDeploy(): Promise<string[]> {
  if (!hasProgram('docker-registry')) return ['deploy: skipped (docker-registry not installed; bash .ci/setup-services installs it)'];
  const registry = await startRegistry();
  const scratch = mkdtempSync(join(tmpdir(), 'tide-bench-cache-'));
  let app: string | undefined;
  try {
    await pushBaseImage(new RegistryClient(registry.host), 'tide-base', '1');
    app = benchApp(`${registry.host}/tide-base:1`);
    const first: number[] = [];
    const again: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const options = { appDir: app, image: `${registry.host}/bench-${round}:1`, docker: 'never' as const, cacheDir: join(scratch, `cache-${round}`), dockerConfig: join(scratch, 'none.json'), log: () => undefined };
      let start = process.hrtime.bigint();
      await buildAndPushAppImage(options);
      first.push(Number(process.hrtime.bigint() - start) / 1e6);
      start = process.hrtime.bigint();
      await buildAndPushAppImage(options);
      again.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    const [f, a] = [median(first), median(again)];
    return [
      `deploy: image build + push without Docker, ${PACKAGES.length} real packages in node_modules, median of ${ROUNDS}`,
      `  first build (empty cache and repository)  ${f.toFixed(0)} ms`,
      `  rebuild, no change (cached layers)         ${a.toFixed(0)} ms   ratio ${(a / f).toFixed(2)} of the first (goal ≤ 0.25)`,
    ];
  } finally {
    await registry.stop();
    rmSync(scratch, { recursive: true, force: true });
    if (app !== undefined) rmSync(app, { recursive: true, force: true });
  }
}
