// resolveTriggerAuth: finding the (Cluster)TriggerAuthentication, KEDA's merge order, each source,
// the CTA namespace rule, oauth2 mapping, unsupported providers, env for `<name>FromEnv`, and that
// no problem ever carries a secret value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterTriggerAuthentication, TriggerAuthentication, TriggerAuthenticationSpec } from '../../src/api/trigger-authentication.js';
import type { AuthenticationKind } from '../../src/api/scale-trigger.js';
import { localAuthSources } from '../../src/auth/local-sources.js';
import { podContainerEnv } from '../../src/auth/container-env.js';
import { resolveTriggerAuth, type ResolveTriggerAuthInput } from '../../src/auth/resolve.js';
import type { AuthSources, TokenRequestOptions } from '../../src/auth/sources.js';
import { startVaultFake, type VaultFake } from '../servers/vault-fake.js';

const SECRET_VALUES = ['pw-from-secret-apps', 'pw-from-secret-keda', 'vault-kv-secret-value', 'oauth-client-secret-xyz', 'sa-token-apps-reader', 'file-secret-content'];

const objects = {
  secrets: {
    'apps/creds': { password: 'pw-from-secret-apps', client: 'oauth-client-secret-xyz' },
    'keda/creds': { password: 'pw-from-secret-keda', clientID: 'from-secret' },
    'ops/creds': { password: 'pw-from-secret-ops' },
  },
  configMaps: { 'apps/cfg': { host: 'apps-host' }, 'keda/cfg': { host: 'keda-host', clientID: 'from-configmap' }, 'ops/cfg': { host: 'ops-host' } },
};
const files: Record<string, string> = { '/etc/tide-auth/client': 'from-file', '/etc/tide-auth/pw': 'file-secret-content' };

function sources(tokenRequests: { namespace: string; name: string; options: TokenRequestOptions }[] = []): AuthSources {
  return {
    ...localAuthSources({ ...objects, readFile: (p) => Promise.resolve(files[p]) }),
    serviceAccountToken: (namespace, name, options) => {
      tokenRequests.push({ namespace, name, options });
      return Promise.resolve(name === 'reader' ? `sa-token-${namespace}-reader` : name === 'client' ? 'from-bound-token' : undefined);
    },
  };
}

const ta = (name: string, namespace: string, spec: TriggerAuthenticationSpec): TriggerAuthentication => ({
  apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name, namespace }, spec,
});
const cta = (name: string, spec: TriggerAuthenticationSpec): ClusterTriggerAuthentication => ({
  apiVersion: 'keda.sh/v1alpha1', kind: 'ClusterTriggerAuthentication', metadata: { name }, spec,
});

function lookupIn(list: (TriggerAuthentication | ClusterTriggerAuthentication)[], calls: unknown[] = []): ResolveTriggerAuthInput['getTriggerAuthentication'] {
  return (kind: AuthenticationKind, name: string, namespace: string | undefined) => {
    calls.push([kind, name, namespace]);
    return Promise.resolve(list.find((o) => o.kind === kind && o.metadata.name === name && (kind === 'ClusterTriggerAuthentication' || o.metadata.namespace === namespace)));
  };
}

const pod = { containers: [{ name: 'app', env: [{ name: 'CLIENT', value: 'from-env' }, { name: 'CONN', value: 'conn-string' }] }, { name: 'side', env: [{ name: 'CLIENT', value: 'from-sidecar' }] }] };

function input(ref: ResolveTriggerAuthInput['trigger']['authenticationRef'], list: (TriggerAuthentication | ClusterTriggerAuthentication)[], extra: Partial<ResolveTriggerAuthInput> = {}): ResolveTriggerAuthInput {
  const s = extra.sources ?? sources();
  return {
    trigger: { metadata: {}, authenticationRef: ref }, scaledObjectNamespace: 'apps', getTriggerAuthentication: lookupIn(list),
    containerEnv: podContainerEnv(pod, 'apps', s), sources: s, filePathRoot: '/etc/tide-auth', ...extra,
  };
}

let vault: VaultFake;
beforeAll(async () => {
  vault = await startVaultFake({ tokens: { 's.test-token-1234': { allow: ['kv/'] } }, kvV1: { kv: { app: { clientID: 'from-vault', pw: 'vault-kv-secret-value' } } } });
});
afterAll(async () => {
  await vault.close();
});

describe('merge order (later wins): env, filePath, configMap, secret, Vault, bound token, oauth2', () => {
  const full = (): TriggerAuthenticationSpec => ({
    podIdentity: { provider: 'none' },
    env: [{ parameter: 'clientID', name: 'CLIENT' }],
    filePath: [{ parameter: 'clientID', path: 'client' }],
    configMapTargetRef: [{ parameter: 'clientID', name: 'cfg', key: 'clientID' }],
    secretTargetRef: [{ parameter: 'clientID', name: 'creds', key: 'clientID' }],
    hashiCorpVault: { address: vault.address, authentication: 'token', credential: { token: 's.test-token-1234' }, secrets: [{ parameter: 'clientID', path: 'kv/app', key: 'clientID' }] },
    boundServiceAccountToken: [{ parameter: 'clientID', serviceAccountName: 'client' }],
    oauth2: { type: 'clientCredentials', clientId: 'from-oauth2', tokenUrl: 'https://login.example/token', clientSecret: { valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } } },
  });
  const drop = (spec: TriggerAuthenticationSpec, keys: (keyof TriggerAuthenticationSpec)[]): TriggerAuthenticationSpec =>
    Object.fromEntries(Object.entries(spec).filter(([k]) => !(keys as string[]).includes(k)));

  it.each([
    [[], 'from-oauth2'],
    [['oauth2'], 'from-bound-token'],
    [['oauth2', 'boundServiceAccountToken'], 'from-vault'],
    [['oauth2', 'boundServiceAccountToken', 'hashiCorpVault'], 'from-secret'],
    [['oauth2', 'boundServiceAccountToken', 'hashiCorpVault', 'secretTargetRef'], 'from-configmap'],
    [['oauth2', 'boundServiceAccountToken', 'hashiCorpVault', 'secretTargetRef', 'configMapTargetRef'], 'from-file'],
    [['oauth2', 'boundServiceAccountToken', 'hashiCorpVault', 'secretTargetRef', 'configMapTargetRef', 'filePath'], 'from-env'],
  ] as [(keyof TriggerAuthenticationSpec)[], string][])('without %j → clientID %s', async (dropped, expected) => {
    const result = await resolveTriggerAuth(input({ name: 'all', kind: 'ClusterTriggerAuthentication' }, [cta('all', drop(full(), dropped))]));
    expect(result.problems).toEqual([]);
    expect(result.authParams.clientID).toBe(expected);
    expect(result.podIdentity).toBe('none');
  });
});

describe('finding the authentication', () => {
  it('TriggerAuthentication: looked up in the scaled object namespace, secrets and config maps from there', async () => {
    const calls: unknown[] = [];
    const spec = { secretTargetRef: [{ parameter: 'password', name: 'creds', key: 'password' }], configMapTargetRef: [{ parameter: 'host', name: 'cfg', key: 'host' }] };
    const result = await resolveTriggerAuth({ ...input({ name: 'a' }, [ta('a', 'apps', spec)]), getTriggerAuthentication: lookupIn([ta('a', 'apps', spec)], calls) });
    expect(calls).toEqual([['TriggerAuthentication', 'a', 'apps']]);
    expect(result).toEqual({ authParams: { password: 'pw-from-secret-apps', host: 'apps-host' }, env: { CLIENT: 'from-env', CONN: 'conn-string' }, problems: [] });
  });

  it.each([
    [undefined, { password: 'pw-from-secret-keda', host: 'keda-host' }],
    ['ops', { password: 'pw-from-secret-ops', host: 'ops-host' }],
  ])('ClusterTriggerAuthentication: secrets and config maps from the cluster object namespace (%s, default keda)', async (ns, expected) => {
    const spec = { secretTargetRef: [{ parameter: 'password', name: 'creds', key: 'password' }], configMapTargetRef: [{ parameter: 'host', name: 'cfg', key: 'host' }] };
    const calls: unknown[] = [];
    const base = input({ name: 'c', kind: 'ClusterTriggerAuthentication' }, [], { getTriggerAuthentication: lookupIn([cta('c', spec)], calls) });
    const result = await resolveTriggerAuth(ns === undefined ? base : { ...base, clusterObjectNamespace: ns });
    expect(calls).toEqual([['ClusterTriggerAuthentication', 'c', undefined]]);
    expect(result.authParams).toEqual(expected);
  });

  it('KEDA_RESTRICT_SECRET_ACCESS: a TriggerAuthentication\'s secrets come from the cluster object namespace', async () => {
    const spec = { secretTargetRef: [{ parameter: 'password', name: 'creds', key: 'password' }] };
    const result = await resolveTriggerAuth(input({ name: 'a' }, [ta('a', 'apps', spec)], { restrictSecretAccess: true }));
    expect(result.authParams).toEqual({ password: 'pw-from-secret-keda' });
  });

  it.each([
    [{ name: 'nope' }, 'TriggerAuthentication "apps/nope" not found'],
    [{ name: 'nope', kind: 'ClusterTriggerAuthentication' as const }, 'ClusterTriggerAuthentication "nope" not found'],
  ])('a missing authentication is a clear problem: %j', async (ref, message) => {
    const result = await resolveTriggerAuth(input(ref, []));
    expect(result.problems).toEqual([{ path: 'authenticationRef', message, severity: 'error' }]);
    expect(result.authParams).toEqual({});
  });

  it('a lookup that fails is reported with its reason', async () => {
    const result = await resolveTriggerAuth(input({ name: 'a' }, [], { getTriggerAuthentication: () => Promise.reject(new Error('connection refused')) }));
    expect(result.problems[0]?.message).toBe('cannot read TriggerAuthentication "apps/a": connection refused');
  });

  it('no authenticationRef: empty authParams, env still resolved', async () => {
    const result = await resolveTriggerAuth(input(undefined, []));
    expect(result).toEqual({ authParams: {}, env: { CLIENT: 'from-env', CONN: 'conn-string' }, problems: [] });
  });
});

describe('each source\'s failures name the authentication, field, parameter and source', () => {
  const A = 'TriggerAuthentication "apps/a"';
  it.each([
    [{ secretTargetRef: [{ parameter: 'password', name: 'creds', key: 'pass' }] }, `${A}: secretTargetRef[0] (parameter "password"): secret "apps/creds" has no key "pass"`],
    [{ secretTargetRef: [{ parameter: 'password', name: 'gone', key: 'k' }] }, `${A}: secretTargetRef[0] (parameter "password"): secret "apps/gone" not found`],
    [{ secretTargetRef: [{ parameter: 'password', name: '', key: 'k' }] }, `${A}: secretTargetRef[0] (parameter "password"): secret name and key are required`],
    [{ configMapTargetRef: [{ parameter: 'host', name: 'cfg', key: 'nohost' }] }, `${A}: configMapTargetRef[0] (parameter "host"): config map "apps/cfg" has no key "nohost"`],
    [{ env: [{ parameter: 'conn', name: 'NOPE' }] }, `${A}: env[0] (parameter "conn"): the first container has no env var "NOPE"`],
    [{ env: [{ parameter: 'conn', name: 'X', containerName: 'nope' }] }, `${A}: env[0] (parameter "conn"): container "nope": container "nope" not found in the scale target (containers: app, side)`],
    [{ filePath: [{ parameter: 'p', path: 'pw' }] }, `${A}: filePath: is only supported on ClusterTriggerAuthentication`],
    [{ boundServiceAccountToken: [{ parameter: 't', serviceAccountName: 'ghost' }] }, `${A}: boundServiceAccountToken[0] (parameter "t"): service account "apps/ghost" not found`],
  ] as [TriggerAuthenticationSpec, string][])('%j', async (spec, message) => {
    const result = await resolveTriggerAuth(input({ name: 'a' }, [ta('a', 'apps', spec)]));
    expect(result.problems).toEqual([{ path: 'authenticationRef', message, severity: 'error' }]);
    expect(result.authParams).toEqual({});
  });

  it('env entries read the named container', async () => {
    const result = await resolveTriggerAuth(input({ name: 'a' }, [ta('a', 'apps', { env: [{ parameter: 'c', name: 'CLIENT', containerName: 'side' }, { parameter: 'd', name: 'CLIENT' }] })]));
    expect(result.authParams).toEqual({ c: 'from-sidecar', d: 'from-env' });
  });

  it.each([
    ['../pw', 'filePath[0] (parameter "p"): path "../pw" must be relative to the root and must not contain ".."'],
    ['/etc/tide-auth/pw', 'filePath[0] (parameter "p"): path "/etc/tide-auth/pw" must be relative to the root and must not contain ".."'],
    ['absent', 'filePath[0] (parameter "p"): file "/etc/tide-auth/absent" not found'],
  ])('filePath %s on a CTA → problem', async (path, message) => {
    const result = await resolveTriggerAuth(input({ name: 'c', kind: 'ClusterTriggerAuthentication' }, [cta('c', { filePath: [{ parameter: 'p', path }] })]));
    expect(result.problems.map((p) => p.message)).toEqual([`ClusterTriggerAuthentication "c": ${message}`]);
  });

  it('filePath without a configured root → problem', async () => {
    const { filePathRoot: _unused, ...rest } = input({ name: 'c', kind: 'ClusterTriggerAuthentication' }, [cta('c', { filePath: [{ parameter: 'p', path: 'pw' }] })]);
    const result = await resolveTriggerAuth(rest);
    expect(result.problems[0]?.message).toBe('ClusterTriggerAuthentication "c": filePath[0] (parameter "p"): no file path root is configured (--filepath-auth-root-path)');
  });

  it('boundServiceAccountToken: a TokenRequest in the object namespace with the configured expiry (default 3600 s)', async () => {
    const requests: { namespace: string; name: string; options: TokenRequestOptions }[] = [];
    const s = sources(requests);
    const spec = { boundServiceAccountToken: [{ parameter: 'token', serviceAccountName: 'reader' }] };
    const a = await resolveTriggerAuth(input({ name: 'a' }, [ta('a', 'apps', spec)], { sources: s }));
    const c = await resolveTriggerAuth(input({ name: 'c', kind: 'ClusterTriggerAuthentication' }, [cta('c', spec)], { sources: s, boundTokenExpirySeconds: 600 }));
    expect([a.authParams, c.authParams]).toEqual([{ token: 'sa-token-apps-reader' }, { token: 'sa-token-keda-reader' }]);
    expect(requests).toEqual([{ namespace: 'apps', name: 'reader', options: { expirationSeconds: 3600 } }, { namespace: 'keda', name: 'reader', options: { expirationSeconds: 600 } }]);
  });

  it('local mode cannot issue service account tokens and says so', async () => {
    const s = localAuthSources();
    const result = await resolveTriggerAuth(input({ name: 'a' }, [ta('a', 'apps', { boundServiceAccountToken: [{ parameter: 't', serviceAccountName: 'reader' }] })], { sources: s, containerEnv: {} }));
    expect(result.problems[0]?.message).toBe('TriggerAuthentication "apps/a": boundServiceAccountToken[0] (parameter "t"): token for service account "apps/reader": cannot request a token for service account "apps/reader": local mode has no Kubernetes API (run in a cluster)');
  });
});

describe('oauth2 clientCredentials', () => {
  it('maps to oauthTokenURI, clientID, clientSecret, scopes (comma-joined) and endpointParams (Go url.Values encoding, keys sorted)', async () => {
    const spec: TriggerAuthenticationSpec = {
      oauth2: {
        type: 'clientCredentials', clientId: 'my-client', tokenUrl: 'https://login.example/oauth2/token',
        clientSecret: { valueFrom: { secretKeyRef: { name: 'creds', key: 'client' } } },
        scopes: ['api://x/.default', 'read'], tokenUrlParams: { resource: 'https://svc.example/a b', audience: "it's*~" },
      },
    };
    const result = await resolveTriggerAuth(input({ name: 'a' }, [ta('a', 'apps', spec)]));
    expect(result.problems).toEqual([]);
    expect(result.authParams).toEqual({
      oauthTokenURI: 'https://login.example/oauth2/token', clientID: 'my-client', clientSecret: 'oauth-client-secret-xyz',
      scopes: 'api://x/.default,read',
      endpointParams: 'audience=it%27s%2A~&resource=https%3A%2F%2Fsvc.example%2Fa+b',
    });
  });

  it('no scopes or params → those keys are absent; a missing client secret is a problem', async () => {
    const spec: TriggerAuthenticationSpec = { oauth2: { type: 'clientCredentials', clientId: 'c', tokenUrl: 'https://t', clientSecret: { valueFrom: { secretKeyRef: { name: 'creds', key: 'nope' } } } } };
    const result = await resolveTriggerAuth(input({ name: 'a' }, [ta('a', 'apps', spec)]));
    expect(result.authParams).toEqual({ oauthTokenURI: 'https://t', clientID: 'c' });
    expect(result.problems.map((p) => p.message)).toEqual(['TriggerAuthentication "apps/a": oauth2.clientSecret.valueFrom.secretKeyRef (parameter "clientSecret"): secret "apps/creds" has no key "nope"']);
  });
});

describe('providers tide does not implement fail loudly', () => {
  const A = 'TriggerAuthentication "apps/a"';
  it.each([
    [{ podIdentity: { provider: 'azure-workload' } }, `${A}: podIdentity.provider: pod identity provider "azure-workload" is not supported by tide yet`],
    [{ podIdentity: { provider: 'aws', roleArn: 'arn:aws:iam::1:role/r' } }, `${A}: podIdentity.provider: pod identity provider "aws" is not supported by tide yet`],
    [{ azureKeyVault: { vaultUri: 'https://v.vault.azure.net', secrets: [{ parameter: 'connection', name: 'c' }, { parameter: 'x', name: 'x' }] } }, `${A}: azureKeyVault: Azure Key Vault is not supported by tide yet (parameters "connection", "x" are not resolved)`],
    [{ gcpSecretManager: { secrets: [{ parameter: 'creds', id: 'c' }] } }, `${A}: gcpSecretManager: GCP Secret Manager is not supported by tide yet (parameters "creds" are not resolved)`],
    [{ awsSecretManager: { secrets: [{ parameter: 'key', name: 'k' }] } }, `${A}: awsSecretManager: AWS Secrets Manager is not supported by tide yet (parameters "key" are not resolved)`],
  ] as [TriggerAuthenticationSpec, string][])('%j', async (spec, message) => {
    const result = await resolveTriggerAuth(input({ name: 'a' }, [ta('a', 'apps', spec)]));
    expect(result.problems).toEqual([{ path: 'authenticationRef', message, severity: 'error' }]);
    expect(result.authParams).toEqual({});
  });

  it('the pod identity provider is still reported to the scaler', async () => {
    const result = await resolveTriggerAuth(input({ name: 'a' }, [ta('a', 'apps', { podIdentity: { provider: 'azure-workload' } })]));
    expect(result.podIdentity).toBe('azure-workload');
  });
});

describe('env for <name>FromEnv', () => {
  const broken = { containers: [{ name: 'app', env: [{ name: 'CONN', valueFrom: { secretKeyRef: { name: 'creds', key: 'nope' } } }, { name: 'OTHER', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }, { name: 'OK', value: 'fine' }] }] };

  it('a variable the trigger reads that cannot be resolved → error at the FromEnv key; others → warnings', async () => {
    const s = sources();
    const result = await resolveTriggerAuth({ ...input(undefined, [], { sources: s, containerEnv: podContainerEnv(broken, 'apps', s) }), trigger: { metadata: { connectionFromEnv: 'CONN' } } });
    expect(result.env).toEqual({ OK: 'fine' });
    expect(result.problems).toEqual([
      { path: 'metadata.connectionFromEnv', severity: 'error', message: 'first container containers[0].env[0].valueFrom.secretKeyRef: env CONN: secret "apps/creds" has no key "nope"' },
      { path: 'scaleTargetRef', severity: 'warning', message: 'first container containers[0].env[1].valueFrom.secretKeyRef: env OTHER: secret "apps/gone" not found (not used by this trigger)' },
    ]);
  });

  it('envSourceContainerName picks the container; an unknown one is an error', async () => {
    const side = await resolveTriggerAuth(input(undefined, [], { envSourceContainerName: 'side' }));
    expect(side.env).toEqual({ CLIENT: 'from-sidecar' });
    const unknown = await resolveTriggerAuth(input(undefined, [], { envSourceContainerName: 'apps' }));
    expect(unknown.problems).toEqual([{ path: 'scaleTargetRef.envSourceContainerName', severity: 'error', message: 'container "apps" not found in the scale target (containers: app, side); did you mean "app"?' }]);
  });

  it('local mode: the process environment over local.settings.json is the env', async () => {
    const local = localAuthSources({ env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true', PATH: '/bin', UNSET: undefined }, settings: { Values: { AzureWebJobsStorage: 'from-settings', FUNCTIONS_WORKER_RUNTIME: 'node' } } });
    const result = await resolveTriggerAuth(input(undefined, [], { sources: local, containerEnv: local.containerEnv }));
    expect(result.env).toEqual({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', FUNCTIONS_WORKER_RUNTIME: 'node', PATH: '/bin' });
  });
});

describe('secret values never appear in problems', () => {
  it('failures next to resolved secrets, and a source error that echoes a secret, are scrubbed', async () => {
    const s: AuthSources = { ...sources(), configMap: () => Promise.reject(new Error('backend said: pw-from-secret-apps is not a config map')) };
    const spec: TriggerAuthenticationSpec = {
      secretTargetRef: [{ parameter: 'password', name: 'creds', key: 'password' }, { parameter: 'x', name: 'creds', key: 'missing' }],
      configMapTargetRef: [{ parameter: 'host', name: 'cfg', key: 'host' }],
      hashiCorpVault: { address: vault.address, authentication: 'token', credential: { token: 's.test-token-1234' }, secrets: [{ parameter: 'pw', path: 'kv/app', key: 'pw' }, { parameter: 'q', path: 'kv/app', key: 'nope' }] },
      oauth2: { type: 'clientCredentials', clientId: 'c', tokenUrl: 'https://t', clientSecret: { valueFrom: { secretKeyRef: { name: 'creds', key: 'client' } } } },
      azureKeyVault: { vaultUri: 'https://v', secrets: [{ parameter: 'k', name: 'k' }] },
    };
    const result = await resolveTriggerAuth(input({ name: 'a' }, [ta('a', 'apps', spec)], { sources: s }));
    expect(result.authParams.password).toBe('pw-from-secret-apps');
    expect(result.authParams.pw).toBe('vault-kv-secret-value');
    expect(result.problems.map((p) => p.message)).toEqual([
      'TriggerAuthentication "apps/a": configMapTargetRef[0] (parameter "host"): cannot read config map "apps/cfg": backend said: *** is not a config map',
      'TriggerAuthentication "apps/a": secretTargetRef[1] (parameter "x"): secret "apps/creds" has no key "missing"',
      'TriggerAuthentication "apps/a": hashiCorpVault.secrets[1] (parameter "q"): path "kv/app" has no key "nope"',
      'TriggerAuthentication "apps/a": azureKeyVault: Azure Key Vault is not supported by tide yet (parameters "k" are not resolved)',
    ]);
    const text = JSON.stringify(result.problems);
    for (const secret of [...SECRET_VALUES, 's.test-token-1234']) expect(text).not.toContain(secret);
  });
});
