// The scale target container's env as the kubelet builds it: envFrom (prefix, optional), env values
// with $(VAR) expansion, valueFrom secretKeyRef/configMapKeyRef, container selection.
import { describe, expect, it } from 'vitest';
import { expandEnvReferences, podContainerEnv, resolveContainerEnv, type ContainerLike } from '../../src/auth/container-env.js';
import { localAuthSources } from '../../src/auth/local-sources.js';

const sources = localAuthSources({
  secrets: { 'apps/db': { password: 's3cr3t-pass', user: 'app' }, 'apps/extra': { TOKEN: 'tok-123456' } },
  configMaps: { 'apps/settings': { HOST: 'db.local', PORT: '5432' }, 'keda/shared': { X: '1' } },
});

describe('expandEnvReferences (Kubernetes expansion rules)', () => {
  const defined = { A: 'alpha', EMPTY: '' };
  it.each([
    ['$(A)', 'alpha'],
    ['pre-$(A)-post', 'pre-alpha-post'],
    ['$(EMPTY)x', 'x'],
    ['$(MISSING)', '$(MISSING)'], // unknown references stay as written
    ['$$(A)', '$(A)'], // $$ escapes
    ['$$', '$'],
    ['a$', 'a$'], // trailing operator
    ['$(A', '$(A'], // unclosed reference
    ['$x', '$x'], // operator without opener
    ['$()', '$()'],
    ['$(A)$(A)', 'alphaalpha'],
  ])('%s → %s', (input, expected) => {
    expect(expandEnvReferences(input, defined)).toBe(expected);
  });
});

describe('resolveContainerEnv', () => {
  it('envFrom in order with prefixes, then env entries override; $(VAR) sees earlier definitions only', async () => {
    const container: ContainerLike = {
      name: 'app',
      envFrom: [{ configMapRef: { name: 'settings' } }, { prefix: 'DB_', secretRef: { name: 'db' } }],
      env: [
        { name: 'URL', value: 'postgres://$(DB_user)@$(HOST):$(PORT)/$(LATER)' },
        { name: 'PORT', value: '6543' }, // overrides the config map's PORT
        { name: 'PASS', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'H', valueFrom: { configMapKeyRef: { name: 'settings', key: 'HOST' } } },
        { name: 'LATER', value: 'db1' },
        { name: 'BLANK' },
      ],
    };
    const { env, problems } = await resolveContainerEnv(container, 'apps', sources);
    expect(problems).toEqual([]);
    expect(env).toEqual({
      HOST: 'db.local', PORT: '6543', DB_password: 's3cr3t-pass', DB_user: 'app',
      URL: 'postgres://app@db.local:5432/$(LATER)', PASS: 's3cr3t-pass', H: 'db.local', LATER: 'db1', BLANK: '',
    });
  });

  it.each([
    ['secretKeyRef to a missing key', { name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'pwd' } } }, 'containers[0].env[0].valueFrom.secretKeyRef', 'env P: secret "apps/db" has no key "pwd"'],
    ['secretKeyRef to a missing secret', { name: 'P', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }, 'containers[0].env[0].valueFrom.secretKeyRef', 'env P: secret "apps/nope" not found'],
    ['configMapKeyRef to a missing key', { name: 'C', valueFrom: { configMapKeyRef: { name: 'settings', key: 'NOPE' } } }, 'containers[0].env[0].valueFrom.configMapKeyRef', 'env C: config map "apps/settings" has no key "NOPE"'],
  ])('%s → a problem naming variable and source', async (_name, item, path, message) => {
    const { env, problems } = await resolveContainerEnv({ name: 'c', env: [item] }, 'apps', sources, { path: 'containers[0]' });
    expect(env).toEqual({});
    expect(problems).toEqual([{ path, message, variable: item.name }]);
  });

  it('optional references that do not resolve are skipped silently', async () => {
    const { env, problems } = await resolveContainerEnv({
      name: 'c',
      envFrom: [{ secretRef: { name: 'gone', optional: true } }],
      env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'nope', optional: true } } }],
    }, 'apps', sources);
    expect({ env, problems }).toEqual({ env: {}, problems: [] });
  });

  it('a missing non-optional envFrom source is a problem without a variable', async () => {
    const { problems } = await resolveContainerEnv({ name: 'c', envFrom: [{ configMapRef: { name: 'gone' } }] }, 'apps', sources, { path: 'containers[1]' });
    expect(problems).toEqual([{ path: 'containers[1].envFrom[0].configMapRef', message: 'config map "apps/gone" not found' }]);
  });

  it('KEDA_RESTRICT_SECRET_ACCESS: secret-backed env outside the cluster object namespace is not read', async () => {
    const { env, problems } = await resolveContainerEnv({
      name: 'c',
      envFrom: [{ secretRef: { name: 'extra' } }],
      env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }, { name: 'H', valueFrom: { configMapKeyRef: { name: 'settings', key: 'HOST' } } }],
    }, 'apps', sources, { restrictSecretAccess: { clusterObjectNamespace: 'keda' } });
    expect(env).toEqual({ H: 'db.local' });
    expect(problems.map((p) => p.message)).toEqual([
      'secret "apps/extra" not read: secret access is restricted to the cluster object namespace',
      'env P: secret "apps/db" not read: secret access is restricted to the cluster object namespace',
    ]);
  });

  it('a source that cannot answer is reported with its reason', async () => {
    const failing = { ...sources, secret: () => Promise.reject(new Error('secrets "db" is forbidden')) };
    const { problems } = await resolveContainerEnv({ name: 'c', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'k' } } }] }, 'apps', failing);
    expect(problems[0]?.message).toBe('env P: cannot read secret "apps/db": secrets "db" is forbidden');
  });
});

describe('podContainerEnv', () => {
  const pod = {
    containers: [
      { name: 'app', env: [{ name: 'WHO', value: 'app' }] },
      { name: 'sidecar', env: [{ name: 'WHO', value: 'sidecar' }] },
    ],
  };

  it.each([
    [undefined, 'app'],
    ['', 'app'], // KEDA: no container name → the first container
    ['sidecar', 'sidecar'],
  ])('container %j → env of %s', async (name, who) => {
    const { env } = await podContainerEnv(pod, 'apps', sources)(name);
    expect(env.WHO).toBe(who);
  });

  it('an unknown container is a problem with a suggestion', async () => {
    const { env, problems } = await podContainerEnv(pod, 'apps', sources)('sidecr');
    expect(env).toEqual({});
    expect(problems).toEqual([{ path: 'containers', message: 'container "sidecr" not found in the scale target (containers: app, sidecar); did you mean "sidecar"?' }]);
  });

  it('resolves each container once', async () => {
    let reads = 0;
    const counting = { ...sources, configMap: (ns: string, n: string) => ((reads += 1), sources.configMap(ns, n)) };
    const lookup = podContainerEnv({ containers: [{ name: 'a', envFrom: [{ configMapRef: { name: 'settings' } }] }] }, 'apps', counting);
    await Promise.all([lookup(undefined), lookup(undefined)]);
    expect(reads).toBe(1);
  });
});
