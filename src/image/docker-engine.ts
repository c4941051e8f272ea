// When a Docker engine answers (`docker info` exits 0, not merely a `docker` binary on PATH), images
// are built and pushed as `func` does: `docker build -t <image> <app>` then `docker push <image>`.
import { spawn } from 'node:child_process';
import { ImageInputError, RegistryError } from './errors.js';

function run(args: readonly string[], log: ((line: string) => void) | undefined, timeoutMs?: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = timeoutMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : undefined;
    const take = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output += text;
      if (log) for (const line of text.split(/\r?\n/)) if (line.trim() !== '') log(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', () => { clearTimeout(timer); resolve({ code: -1, output }); });
    child.once('close', (code) => { clearTimeout(timer); resolve({ code, output }); });
  });
}

/** True when a Docker engine answers. */
export async function dockerEngineAnswers(): Promise<boolean> {
  return (await run(['info'], undefined, 15_000)).code === 0;
}

/** `docker build` + `docker push`; the digest is read from push's output. */
export async function dockerBuildAndPush(appDir: string, image: string, dockerfile: string | undefined, log: (line: string) => void): Promise<{ image: string; digest: string }> {
  log(`building ${image} with Docker`);
  const build = await run(['build', '-t', image, ...(dockerfile !== undefined ? ['-f', dockerfile] : []), appDir], log);
  if (build.code !== 0) throw new ImageInputError(`docker build of ${appDir} failed (exit ${String(build.code)}); see the output above`);
  const push = await run(['push', image], log);
  if (push.code !== 0) throw new RegistryError(`docker push ${image} failed (exit ${String(push.code)}): ${push.output.trim().split('\n').pop() ?? ''}`);
  const digest = /digest: (sha256:[a-f0-9]{64})/.exec(push.output)?.[1];
  if (digest === undefined) throw new RegistryError(`docker push ${image} did not print the pushed digest`);
  return { image, digest };
}
