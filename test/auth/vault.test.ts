// HashiCorp Vault resolution against a FAKE Vault HTTP server (test/servers/vault-fake.ts): token and
// kubernetes authentication, KV v1/v2 (explicit and detected), pki issue, and failures that name the
// entry without leaking the token, the JWT or any secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HashiCorpVault } from '../../src/api/trigger-authentication.js';
import { resolveVaultSecrets, type VaultOptions } from '../../src/auth/vault.js';
import { localAuthSources } from '../../src/auth/local-sources.js';
import type { AuthSources } from '../../src/auth/sources.js';
import { startVaultFake, type VaultFake } from '../servers/vault-fake.js';

const ROOT_TOKEN = 's.root-token-0123456789';
const K8S_TOKEN = 's.k8s-issued-token-abcdef';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.fake-service-account-jwt.sig';
const PASSWORD = 'hunter2-very-secret';

let vault: VaultFake;

beforeAll(async () => {
  vault = await startVaultFake({
    tokens: {
      [ROOT_TOKEN]: { allow: ['kv1/', 'secret/', 'pki/'], renewable: true },
      [K8S_TOKEN]: { allow: ['secret/data/app'] },
      's.narrow-token-xyz': { allow: ['secret/data/other'] },
    },
    kubernetes: { kubernetes: { keda: { jwts: [JWT], token: K8S_TOKEN } } },
    kvV1: { kv1: { 'app/db': { password: PASSWORD, port: 5432 } } },
    kvV2: { secret: { 'app/db': { username: 'app', password: PASSWORD }, other: { x: 'y' } } },
    pki: { pki: ['web'] },
  });
});
afterAll(async () => {
  await vault.close();
});

function options(extra: Partial<VaultOptions> & { files?: Record<string, string>; sa?: Record<string, string> } = {}): VaultOptions {
  const base = localAuthSources({ readFile: (path) => Promise.resolve(extra.files?.[path]) });
  const sources: AuthSources = {
    ...base,
    serviceAccountToken: (namespace, name, opts) => {
      expect(opts).toEqual({ audiences: ['https://kubernetes.default.svc'], expirationSeconds: 600 });
      return Promise.resolve(extra.sa?.[`${namespace}/${name}`]);
    },
  };
  return { sources, namespace: 'apps', timeoutMs: 2000, ...(extra.defaultToken !== undefined ? { defaultToken: extra.defaultToken } : {}) };
}

const tokenVault = (secrets: HashiCorpVault['secrets'], token = ROOT_TOKEN): HashiCorpVault => ({
  address: vault.address, authentication: 'token', credential: { token }, secrets,
});

describe('token authentication and KV engines', () => {
  it.each([
    ['KV v1, type secret', { parameter: 'password', path: 'kv1/app/db', key: 'password', type: 'secret' as const }, PASSWORD],
    ['KV v2, type secretV2', { parameter: 'password', path: 'secret/data/app/db', key: 'password', type: 'secretV2' as const }, PASSWORD],
    ['KV v2 detected from data.data (empty type)', { parameter: 'user', path: 'secret/data/app/db', key: 'username' }, 'app'],
    ['KV v1 detected (empty type)', { parameter: 'password', path: 'kv1/app/db', key: 'password', type: '' as const }, PASSWORD],
  ])('%s', async (_name, secret, expected) => {
    const result = await resolveVaultSecrets(tokenVault([secret]), options());
    expect(result.failures).toEqual([]);
    expect(result.values).toEqual([[secret.parameter, expected]]);
    const read = vault.requests.at(-1);
    expect(read).toMatchObject({ method: 'GET', path: secret.path, token: ROOT_TOKEN });
  });

  it('checks the token with lookup-self before reading', async () => {
    const before = vault.requests.length;
    await resolveVaultSecrets(tokenVault([{ parameter: 'p', path: 'kv1/app/db', key: 'password' }]), options());
    expect(vault.requests.slice(before).map((r) => r.path)).toEqual(['auth/token/lookup-self', 'kv1/app/db']);
  });

  it('prefers the operator VAULT_TOKEN over credential.token (as Vault\'s client does)', async () => {
    const v = tokenVault([{ parameter: 'p', path: 'kv1/app/db', key: 'password' }], 's.unknown');
    const result = await resolveVaultSecrets(v, options({ defaultToken: ROOT_TOKEN }));
    expect(result.values).toEqual([['p', PASSWORD]]);
  });

  it.each([
    ['a key the secret lacks', { parameter: 'p', path: 'secret/data/app/db', key: 'pass' }, 'hashiCorpVault.secrets[0]', 'path "secret/data/app/db" has no key "pass"'],
    ['a missing path (404 without errors)', { parameter: 'p', path: 'secret/data/app/nope', key: 'x' }, 'hashiCorpVault.secrets[0]', 'path "secret/data/app/nope" not found'],
    ['a non-string value', { parameter: 'p', path: 'kv1/app/db', key: 'port' }, 'hashiCorpVault.secrets[0]', 'key "port" at path "kv1/app/db" is not a string'],
    ['secretV2 on a KV v1 path', { parameter: 'p', path: 'kv1/app/db', key: 'password', type: 'secretV2' as const }, 'hashiCorpVault.secrets[0]', 'holds no KV v2 data'],
  ])('%s → a failure naming the entry', async (_name, secret, field, message) => {
    const result = await resolveVaultSecrets(tokenVault([secret]), options());
    expect(result.values).toEqual([]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatchObject({ field, parameter: 'p' });
    expect(result.failures[0]?.message).toContain(message);
  });

  it('a path outside the token policy → 403 "permission denied", without the token in the message', async () => {
    const v = tokenVault([{ parameter: 'p', path: 'secret/data/app/db', key: 'password' }], 's.narrow-token-xyz');
    const result = await resolveVaultSecrets(v, options());
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]?.message).toBe('Vault GET /v1/secret/data/app/db answered HTTP 403: permission denied');
    expect(JSON.stringify(result)).not.toContain('s.narrow-token-xyz');
  });

  it('an unknown token fails at lookup-self with a clear authentication failure', async () => {
    const result = await resolveVaultSecrets(tokenVault([{ parameter: 'p', path: 'kv1/app/db', key: 'password' }], 's.bogus-token-000'), options());
    expect(result.failures).toEqual([{ field: 'hashiCorpVault', message: 'authentication (token) failed: token lookup failed: Vault GET /v1/auth/token/lookup-self answered HTTP 403: permission denied' }]);
  });

  it('an empty token is reported before any request', async () => {
    const before = vault.requests.length;
    const result = await resolveVaultSecrets(tokenVault([{ parameter: 'p', path: 'kv1/app/db', key: 'password' }], ''), options());
    expect(result.failures[0]?.message).toBe('authentication (token) failed: could not get a Vault token: credential.token is empty');
    expect(vault.requests.length).toBe(before);
  });

  it('an unreachable Vault names the address', async () => {
    const v: HashiCorpVault = { ...tokenVault([{ parameter: 'p', path: 'kv1/app/db', key: 'password' }]), address: 'http://127.0.0.1:1' };
    const result = await resolveVaultSecrets(v, options());
    expect(result.failures[0]?.message).toMatch(/^authentication \(token\) failed: token lookup failed: Vault at http:\/\/127\.0\.0\.1:1 unreachable: fetch failed/);
  });
});

describe('kubernetes authentication', () => {
  const k8sVault = (credential: HashiCorpVault['credential'], extra: Partial<HashiCorpVault> = {}): HashiCorpVault => ({
    address: vault.address, authentication: 'kubernetes', mount: 'kubernetes', role: 'keda',
    ...(credential !== undefined ? { credential } : {}),
    secrets: [{ parameter: 'password', path: 'secret/data/app/db', key: 'password' }], ...extra,
  });

  it('logs in with the token file (default path when no credential) and reads with the issued token', async () => {
    const before = vault.requests.length;
    const result = await resolveVaultSecrets(k8sVault(undefined), options({ files: { '/var/run/secrets/kubernetes.io/serviceaccount/token': `${JWT}\n` } }));
    expect(result).toEqual({ values: [['password', PASSWORD]], failures: [] });
    const seen = vault.requests.slice(before);
    expect(seen[0]).toMatchObject({ method: 'POST', path: 'auth/kubernetes/login', body: { jwt: JWT, role: 'keda' } });
    expect(seen.slice(1).map((r) => [r.path, r.token])).toEqual([['auth/token/lookup-self', K8S_TOKEN], ['secret/data/app/db', K8S_TOKEN]]);
  });

  it('serviceAccountName → a TokenRequest in the scaled object namespace', async () => {
    const result = await resolveVaultSecrets(k8sVault({ serviceAccountName: 'keda-reader' }), options({ sa: { 'apps/keda-reader': JWT } }));
    expect(result.values).toEqual([['password', PASSWORD]]);
  });

  it.each([
    ['no mount', { mount: '' }, 'mount is required for kubernetes authentication'],
    ['no role', { role: '' }, 'role is required for kubernetes authentication'],
  ])('%s → a failure', async (_name, extra, message) => {
    const result = await resolveVaultSecrets(k8sVault({ serviceAccount: '/t' }, extra), options());
    expect(result.failures).toEqual([{ field: 'hashiCorpVault', message: `authentication (kubernetes) failed: ${message}` }]);
  });

  it('a rejected JWT → 403 from the login, JWT not in the message', async () => {
    const result = await resolveVaultSecrets(k8sVault({ serviceAccount: '/t' }), options({ files: { '/t': 'eyJ.wrong-jwt-value.sig' } }));
    expect(result.failures[0]?.message).toBe('authentication (kubernetes) failed: kubernetes login at auth/kubernetes failed: Vault POST /v1/auth/kubernetes/login answered HTTP 403: permission denied');
    expect(JSON.stringify(result)).not.toContain('wrong-jwt-value');
  });

  it('an unknown role → Vault\'s 400 message', async () => {
    const result = await resolveVaultSecrets(k8sVault({ serviceAccount: '/t' }, { role: 'nobody' }), options({ files: { '/t': JWT } }));
    expect(result.failures[0]?.message).toContain('HTTP 400: invalid role name "nobody"');
  });

  it('a missing service account or token file is named', async () => {
    const a = await resolveVaultSecrets(k8sVault({ serviceAccountName: 'ghost' }), options());
    expect(a.failures[0]?.message).toBe('authentication (kubernetes) failed: service account "apps/ghost" not found');
    const b = await resolveVaultSecrets(k8sVault({ serviceAccount: '/nope' }), options());
    expect(b.failures[0]?.message).toBe('authentication (kubernetes) failed: service account token file "/nope" not found');
  });
});

describe('namespaces and pki', () => {
  it('sends X-Vault-Namespace; a Vault that requires another namespace denies', async () => {
    const nsVault = await startVaultFake({ namespace: 'team-a', tokens: { [ROOT_TOKEN]: { allow: ['kv1/'] } }, kvV1: { kv1: { s: { k: 'v-value' } } } });
    try {
      const v = (namespace: string): HashiCorpVault => ({ address: nsVault.address, authentication: 'token', namespace, credential: { token: ROOT_TOKEN }, secrets: [{ parameter: 'k', path: 'kv1/s', key: 'k' }] });
      expect((await resolveVaultSecrets(v('team-a'), options())).values).toEqual([['k', 'v-value']]);
      expect(nsVault.requests.every((r) => r.namespace === 'team-a')).toBe(true);
      expect((await resolveVaultSecrets(v('team-b'), options())).failures[0]?.message).toContain('HTTP 403: permission denied');
    } finally {
      await nsVault.close();
    }
  });

  it('pki: one issue call per path and pkiData, so certificate and key match; ca_chain joined by newlines', async () => {
    const pkiData = { commonName: 'web.example.com', ttl: '1h' };
    const v = tokenVault([
      { parameter: 'cert', path: 'pki/issue/web', key: 'certificate', type: 'pki', pkiData },
      { parameter: 'key', path: 'pki/issue/web', key: 'private_key', type: 'pki', pkiData },
      { parameter: 'ca', path: 'pki/issue/web', key: 'ca_chain', type: 'pki', pkiData },
    ]);
    const before = vault.requests.length;
    const result = await resolveVaultSecrets(v, options());
    const issues = vault.requests.slice(before).filter((r) => r.path === 'pki/issue/web');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ method: 'PUT', body: { common_name: 'web.example.com', ttl: '1h' } });
    const values = Object.fromEntries(result.values);
    const serial = /fake cert (\d+)/.exec(values.cert ?? '')?.[1];
    expect(serial).toBeDefined();
    expect(values.key).toContain(`fake key ${serial ?? ''}`);
    expect(values.ca?.split('\n-----END CERTIFICATE-----\n')).toHaveLength(2);
  });

  it('pki without a common name → Vault\'s 400 error per entry', async () => {
    const result = await resolveVaultSecrets(tokenVault([{ parameter: 'cert', path: 'pki/issue/web', key: 'certificate', type: 'pki' }]), options());
    expect(result.failures[0]).toMatchObject({ field: 'hashiCorpVault.secrets[0]', parameter: 'cert' });
    expect(result.failures[0]?.message).toContain('HTTP 400: the common_name field is required');
  });
});
