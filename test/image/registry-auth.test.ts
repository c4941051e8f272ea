// Registry auth against docker-registry with token auth and an in-test token service: the bearer flow
// from WWW-Authenticate with credentials from the options or from a Docker config file; wrong or
// missing credentials give a RegistryError that says who was refused.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndPushAppImage, RegistryClient, RegistryError, type BuildAndPushOptions } from '../../src/image/index.js';
import { skipWithout } from '../servers/availability.js';
import { REGISTRY_PROGRAMS, startRegistry, type RegistryServer } from '../servers/registry.js';
import { makeApp, pushBaseImage } from './fixtures.js';

describe.skipIf(skipWithout(...REGISTRY_PROGRAMS))('registry auth (bearer tokens)', () => {
  let registry: RegistryServer;
  let app: string;
  let dir: string;
  const options = (extra: Partial<BuildAndPushOptions>): BuildAndPushOptions => ({
    appDir: app,
    image: `${registry.host}/private/hello:1`,
    docker: 'never',
    cacheDir: join(dir, 'cache'),
    dockerConfig: join(dir, 'none.json'),
    log: () => undefined,
    ...extra,
  });

  beforeAll(async () => {
    registry = await startRegistry({ users: { alice: 's3cret' } });
    dir = mkdtempSync(join(tmpdir(), 'tide-registry-auth-'));
    await pushBaseImage(new RegistryClient(registry.host, { credentials: { username: 'alice', password: 's3cret' } }), 'tide-base', '1');
    app = await makeApp(`${registry.host}/tide-base:1`);
  }, 60_000);
  afterAll(async () => {
    await registry.stop();
  });

  it('pushes with credentials from the options through the token service', async () => {
    const result = await buildAndPushAppImage(options({ username: 'alice', password: 's3cret' }));
    // Not execFileSync: the token service skopeo asks lives in this process.
    const { stdout } = await promisify(execFile)('skopeo', ['inspect', '--tls-verify=false', '--creds', 'alice:s3cret', `docker://${registry.host}/private/hello:1`], { encoding: 'utf8' });
    const inspected = JSON.parse(stdout) as { Digest: string };
    expect(inspected.Digest).toBe(result.digest);
  }, 60_000);

  it('takes credentials from the auths of a Docker config file', async () => {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('alice:s3cret').toString('base64') } } }));
    await expect(buildAndPushAppImage(options({ dockerConfig: config, image: `${registry.host}/private/other:1` }))).resolves.toMatchObject({ image: `${registry.host}/private/other:1` });
  }, 60_000);

  it('wrong credentials: a RegistryError saying the token service refused the user', async () => {
    const error = await buildAndPushAppImage(options({ username: 'alice', password: 'wrong' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).message).toContain(`the token service of ${registry.host}`);
    expect((error as RegistryError).message).toContain('refused user "alice" (HTTP 401)');
  });

  it('no credentials: a RegistryError saying anonymous access was refused', async () => {
    const error = await buildAndPushAppImage(options({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).message).toContain('refused anonymous access');
  });
});
