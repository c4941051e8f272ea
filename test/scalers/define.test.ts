import { describe, expect, test } from 'vitest';
import { defineScaler, issue } from '../../src/scalers/define.js';
import { metricNameWithIndex, milliFromFloatTarget, normalizeMetricName } from '../../src/scalers/metric-name.js';
import { param } from '../../src/scalers/param.js';
import { errors, failures, parsed } from './helpers.js';

// A small scaler exercising every feature of the framework.
const demo = defineScaler({
  type: 'demo',
  params: {
    queueName: param.string().required(),
    queueLength: param.int().default(5),
    threshold: param.float().requiredUnlessMetricSource(),
    connection: param.string().required().from('authParams', 'metadata', 'fromEnv').secret(),
    password: param.string().from('authParams').secret(),
    old: param.int().deprecated('use queueLength'),
    gone: param.string().removed('use queueName'),
    address: param.string().alias('addresses'),
    limit: param.int().from('metadata', 'fromEnv'),
    pin: param.int().from('authParams').secret(),
  },
  rules: (rule) => [
    rule(['queueLength', 'threshold'], (p) => p.queueLength < p.threshold && issue('queueLength', 'must be at least threshold')),
    rule(['password', 'queueName'], (p) => p.password !== undefined && p.queueName === 'echo' && issue('password', `echo ${p.password}`)),
  ],
  metricName: (p) => `demo/${p.queueName}`,
  target: (p) => ({ value: milliFromFloatTarget(p.threshold), activation: 0 }),
});

const base = { metadata: { queueName: 'q', threshold: '2', connection: 'c' }, triggerIndex: 0 };

describe('metric names (KEDA NormalizeString + GenerateMetricNameWithIndex)', () => {
  test.each([
    ['orders', 's0-orders'],
    ['a/b.c:d%e(f)g', 's0-a-b-c-d-e-f-g'],
    ['Keep_Case-Of.This', 's0-Keep_Case-Of-This'],
  ])('%s → %s', (name, expected) => {
    expect(metricNameWithIndex(0, name)).toBe(expected);
  });

  test('the trigger index is the prefix: trigger 3 → s3-', () => {
    expect(parsed(demo.parse({ ...base, triggerIndex: 3 })).metricSpecs[0]?.metricName).toBe('s3-demo-q');
    expect(normalizeMetricName('x.y')).toBe('x-y');
  });
});

describe('resolution order and sources', () => {
  test('authParams wins over metadata over FromEnv when declared in that order', () => {
    const all = { metadata: { ...base.metadata, connection: 'from-metadata', connectionFromEnv: 'CONN' }, authParams: { connection: 'from-auth' }, env: { CONN: 'from-env' } };
    expect(parsed(demo.parse({ ...base, ...all })).params.connection).toBe('from-auth');
    expect(parsed(demo.parse({ ...base, ...all, authParams: {} })).params.connection).toBe('from-metadata');
    const envOnly = { metadata: { queueName: 'q', threshold: '2', connectionFromEnv: 'CONN' }, env: { CONN: 'from-env' } };
    expect(parsed(demo.parse({ ...base, ...envOnly })).params.connection).toBe('from-env');
  });

  test('values are trimmed and an empty value counts as absent (KEDA TrimSpace + != "")', () => {
    const r = parsed(demo.parse({ ...base, metadata: { ...base.metadata, queueName: '  q  ', queueLength: '  ' } }));
    expect([r.params.queueName, r.params.queueLength]).toEqual(['q', 5]);
  });

  test('an alias is read like the primary name', () => {
    expect(parsed(demo.parse({ ...base, metadata: { ...base.metadata, addresses: 'h:1' } })).params.address).toBe('h:1');
  });

  test('a FromEnv key pointing at a missing env var names the variable', () => {
    const r = demo.parse({ ...base, metadata: { queueName: 'q', threshold: '2', connectionFromEnv: 'NOPE' } });
    expect(errors(r)).toEqual([`metadata.connectionFromEnv: env var "NOPE" is not set or empty in the scale target's container, and connection is required`]);
  });
});

describe('problems', () => {
  test('every problem at once, each with the field path and source', () => {
    const r = demo.parse({ metadata: { queueLength: 'abc', threshold: 'x', gone: 'y', old: '1' }, authParams: {}, triggerIndex: 0 });
    expect(failures(r)).toEqual([
      'metadata.queueName: required (set metadata.queueName)',
      'metadata.queueLength: "abc" is not an integer',
      'metadata.threshold: "x" is not a number',
      'metadata.connection: required (set metadata.connection, metadata.connectionFromEnv or a TriggerAuthentication parameter "connection")',
      'metadata.old: is deprecated: use queueLength',
      'metadata.gone: is no longer supported: use queueName',
    ]);
  });

  test('a bad value from env names the env var; a bad secret value is not shown', () => {
    const r = demo.parse({ ...base, metadata: { ...base.metadata, limitFromEnv: 'LIM' }, env: { LIM: 'abc' }, authParams: { pin: '12x4' } });
    expect(errors(r)).toEqual(['metadata.limitFromEnv: "abc" (env var LIM) is not an integer', 'authParams.pin: the value (not shown: secret) is not an integer']);
  });

  test('cross-field rules run when their inputs resolved, and point at the field the value came from', () => {
    const r = demo.parse({ ...base, metadata: { ...base.metadata, queueLength: '1', threshold: '3' } });
    expect(errors(r)).toEqual(['metadata.queueLength: must be at least threshold']);
  });

  test('rules whose inputs failed are skipped (no noise on top of the field error)', () => {
    const r = demo.parse({ ...base, metadata: { ...base.metadata, queueLength: 'x', threshold: '3' } });
    expect(errors(r)).toEqual(['metadata.queueLength: "x" is not an integer']);
  });

  test('a secret value never appears, even when a rule echoes it or conversion fails', () => {
    const secret = 'hunter2-very-secret';
    const r = demo.parse({ ...base, metadata: { ...base.metadata, queueName: 'echo' }, authParams: { password: secret, connection: secret } });
    const text = JSON.stringify(r);
    expect(errors(r)).toEqual(['authParams.password: echo ***']);
    expect(text.includes(secret)).toBe(false);
  });

  test('unknown metadata keys warn with the nearest name; FromEnv keys of env-capable params are known', () => {
    const r = parsed(demo.parse({ ...base, metadata: { ...base.metadata, queueLenght: '7', connectionFromEnv: 'X', zzz: '1', password: 'p', queueNameFromEnv: 'Q' }, env: {} }));
    expect(r.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'metadata.queueLenght: unknown metadata key "queueLenght"; did you mean "queueLength"?',
      'metadata.zzz: unknown metadata key "zzz"',
      'metadata.password: "password" is not read from metadata; set a TriggerAuthentication parameter "password"',
      'metadata.queueNameFromEnv: queueName cannot be read from the container environment; "queueNameFromEnv" is ignored',
    ]);
  });
});

describe('metric types and metric-source mode', () => {
  test.each([
    [undefined, 'AverageValue'],
    ['Value', 'Value'],
  ] as const)('metricType %s → %s', (metricType, expected) => {
    const r = parsed(demo.parse({ ...base, ...(metricType ? { metricType } : {}) }));
    expect(r.metricSpecs[0]?.targetType).toBe(expected);
  });

  test('Utilization is rejected for external metrics', () => {
    expect(errors(demo.parse({ ...base, metricType: 'Utilization' }))).toEqual(["metricType: 'Utilization' is not supported for external metrics; use AverageValue or Value"]);
  });

  test('with scalingModifiers the target may be absent (0); without, it is required', () => {
    const metadata = { queueName: 'q', connection: 'c', queueLength: '0' };
    expect(parsed(demo.parse({ metadata, triggerIndex: 0, metricSource: true })).metricSpecs[0]?.targetMilli).toBe(0);
    expect(errors(demo.parse({ metadata, triggerIndex: 0 }))).toEqual(['metadata.threshold: required (set metadata.threshold)']);
  });
});

describe('assume (offline validation)', () => {
  const metadata = { queueName: 'q', threshold: '2' };

  test('a required param counts as present when an authenticationRef may supply it', () => {
    const r = parsed(demo.parse({ metadata, triggerIndex: 0, assume: { authParams: true } }));
    expect(r.assumed).toContain('connection');
  });

  test('or when its FromEnv key exists and the env is not known', () => {
    const r = parsed(demo.parse({ metadata: { ...metadata, connectionFromEnv: 'CONN' }, triggerIndex: 0, assume: { env: true } }));
    expect([r.assumed, r.params.connection]).toEqual([['connection'], '$(CONN)']);
  });

  test('but not without an authenticationRef nor a FromEnv key', () => {
    expect(errors(demo.parse({ metadata, triggerIndex: 0, assume: { env: true } }))).toEqual([
      'metadata.connection: required (set metadata.connection, metadata.connectionFromEnv or a TriggerAuthentication parameter "connection")',
    ]);
  });

  test('metadata-only params are never assumed', () => {
    expect(errors(demo.parse({ metadata: { threshold: '2', connection: 'c' }, triggerIndex: 0, assume: { authParams: true, env: true } }))).toEqual([
      'metadata.queueName: required (set metadata.queueName)',
    ]);
  });
});

test('an optional FromEnv key pointing at a missing env var warns and the default stays', () => {
  const r = parsed(demo.parse({ ...base, metadata: { ...base.metadata, limitFromEnv: 'GONE' }, env: {} }));
  expect([r.params.limit, r.warnings.map((w) => `${w.path}: ${w.message}`)]).toEqual([
    undefined,
    [`metadata.limitFromEnv: env var "GONE" is not set or empty in the scale target's container; limit keeps its default`],
  ]);
});
