// Local mode sources, and the resolver's output fed to a real scaler declaration's parse.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localAuthSources, localContainerEnv } from '../../src/auth/local-sources.js';
import { resolveTriggerAuth } from '../../src/auth/resolve.js';
import { scalerFor } from '../../src/scalers/index.js';

describe('localAuthSources', () => {
  it('reads secrets and config maps from the maps it was given, keyed namespace/name', async () => {
    const s = localAuthSources({ secrets: { 'apps/db': { password: 'pw-1234' } }, configMaps: { 'apps/cfg': { a: 'b' } } });
    expect(await s.secret('apps', 'db')).toEqual({ password: 'pw-1234' });
    expect(await s.secret('other', 'db')).toBeUndefined();
    expect(await s.configMap('apps', 'cfg')).toEqual({ a: 'b' });
    expect(await s.configMap('apps', 'db')).toBeUndefined();
  });

  it('reads files from the local disk; a missing file is undefined', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tide-auth-'));
    try {
      await writeFile(join(dir, 'token'), 'jwt-content');
      const s = localAuthSources();
      expect(await s.file(join(dir, 'token'))).toBe('jwt-content');
      expect(await s.file(join(dir, 'absent'))).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('refuses service account tokens with a clear error', async () => {
    await expect(localAuthSources().serviceAccountToken('apps', 'sa', {})).rejects.toThrow('cannot request a token for service account "apps/sa": local mode has no Kubernetes API (run in a cluster)');
  });

  it.each([
    [{ A: 'env' }, { A: 'settings', B: 'settings' }, { A: 'env', B: 'settings' }], // process env wins, as in func start
    [{}, { A: 'settings' }, { A: 'settings' }],
    [{ A: undefined }, { A: 'settings' }, { A: 'settings' }], // an unset variable does not hide the setting
  ])('container env: process %j over settings %j → %j', (env, values, expected) => {
    expect(localContainerEnv(env, { Values: values })).toEqual(expected);
  });
});

describe('resolver output feeds a scaler parse', () => {
  it('rabbitmq: host and password from a TriggerAuthentication secret, username from the container env', async () => {
    const sources = localAuthSources({ secrets: { 'apps/rmq': { host: 'amqp://rmq.local:5672/vh', password: 'rmq-pass-9876' } } });
    const { authParams, env, problems } = await resolveTriggerAuth({
      trigger: { metadata: { queueName: 'q', usernameFromEnv: 'RMQ_USER' }, authenticationRef: { name: 'rmq' } },
      scaledObjectNamespace: 'apps',
      getTriggerAuthentication: () => Promise.resolve({
        apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'rmq', namespace: 'apps' },
        spec: { secretTargetRef: [{ parameter: 'host', name: 'rmq', key: 'host' }, { parameter: 'password', name: 'rmq', key: 'password' }] },
      }),
      containerEnv: { RMQ_USER: 'guest' },
      sources,
    });
    expect(problems).toEqual([]);
    const parsed = scalerFor('rabbitmq')?.parse({ metadata: { queueName: 'q', usernameFromEnv: 'RMQ_USER' }, authParams, env, triggerIndex: 0 });
    expect(parsed?.ok).toBe(true);
  });
});
