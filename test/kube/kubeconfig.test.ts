import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { KubeconfigError } from '../../src/kube/errors.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'tide-kubeconfig-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, config: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, stringify(config));
  return path;
}

const config = {
  'current-context': 'a',
  clusters: [
    { name: 'ca', cluster: { server: 'https://a.example:6443/', 'certificate-authority': 'ca.pem' } },
    { name: 'insecure', cluster: { server: 'https://b.example', 'insecure-skip-tls-verify': true } },
  ],
  users: [
    { name: 'cert', user: { 'client-certificate-data': Buffer.from('CERT').toString('base64'), 'client-key-data': Buffer.from('KEY').toString('base64') } },
    { name: 'token-file', user: { tokenFile: 'token' } },
    { name: 'plugin', user: { exec: { command: 'aws' } } },
  ],
  contexts: [
    { name: 'a', context: { cluster: 'ca', user: 'cert', namespace: 'apps' } },
    { name: 'b', context: { cluster: 'insecure', user: 'token-file' } },
    { name: 'c', context: { cluster: 'insecure', user: 'plugin' } },
    { name: 'd', context: { cluster: 'missing', user: 'cert' } },
  ],
};

describe('loadKubeconfig', () => {
  writeFileSync(join(dir, 'ca.pem'), 'CA');
  writeFileSync(join(dir, 'token'), 'secret-token\n');
  const path = write('config', config);

  it('current context: server without trailing slash, namespace, CA file relative to the kubeconfig, inline client certificate', () => {
    const c = loadKubeconfig({ path, env: {} });
    expect(c).toMatchObject({ server: 'https://a.example:6443', context: 'a', namespace: 'apps', insecureSkipTlsVerify: false });
    expect([c.ca?.toString(), c.clientCert?.toString(), c.clientKey?.toString()]).toEqual(['CA', 'CERT', 'KEY']);
  });

  it('--context picks another one: token file, insecure-skip-tls-verify, no namespace', () => {
    const c = loadKubeconfig({ path, context: 'b', env: {} });
    expect(c).toMatchObject({ server: 'https://b.example', token: 'secret-token', insecureSkipTlsVerify: true });
    expect('namespace' in c).toBe(false);
  });

  it('$KUBECONFIG is used when no path is given (first existing file of the list)', () => {
    expect(loadKubeconfig({ env: { KUBECONFIG: `${join(dir, 'nope')}:${path}` } }).context).toBe('a');
  });

  it.each([
    { context: 'c', text: 'exec plugin, which tide does not run' },
    { context: 'd', text: 'cluster "missing" of context "d" not found' },
    { context: 'zz', text: 'context "zz" not found' },
  ])('$text', ({ context, text }) => {
    expect(() => loadKubeconfig({ path, context, env: {} })).toThrow(new KubeconfigError(`kubeconfig ${path}: ${text.startsWith('exec') ? 'user "plugin" authenticates through an ' : ''}${text}${text.startsWith('exec') ? '; use a context with a token or client certificate' : ''}`));
  });

  it('no kubeconfig anywhere is an error saying what to set', () => {
    expect(() => loadKubeconfig({ env: { HOME: dir } })).toThrow('no kubeconfig: set KUBECONFIG');
  });
});
