import { describe, expect, it } from 'vitest';
import { applyHostOverrides, overridePath } from '../../src/app/host-json-overrides.js';
import { DEFAULT_FUNCTION_TIMEOUT_MS, parseHostJson } from '../../src/app/host-json.js';

const parse = (doc: unknown, settings: Record<string, string> = {}) => parseHostJson(JSON.stringify(doc), settings);
const messages = (doc: unknown, settings: Record<string, string> = {}) => parse(doc, settings).problems.map((p) => `${p.severity} ${p.path}: ${p.message}`);

describe('host.json version', () => {
  it.each([
    [{ version: '2.0' }, []],
    [{}, ['error host.json:version: host.json is missing the required "version" property; add "version": "2.0"']],
    [{ version: '1.0' }, ['error host.json:version: "1.0" is not a valid host.json "version": it must be "2.0" (version 1.x apps are not supported)']],
    [{ version: 2 }, ['error host.json:version: 2 is not a valid host.json "version": it must be "2.0" (version 1.x apps are not supported)']],
  ])('%j → %j', (doc, expected) => {
    expect(messages(doc)).toEqual(expected);
  });

  it('missing file and invalid JSON name the file', () => {
    expect(parseHostJson(undefined, {}).problems[0]?.message).toMatch(/host.json was not found/);
    expect(parseHostJson('{"version": "2.0",', {}).problems[0]).toMatchObject({ path: 'host.json', severity: 'error' });
  });

  it('comments and trailing commas are accepted, as JSON.NET does', () => {
    const { hostJson, problems } = parseHostJson('{\n // the version\n "version": "2.0", /* c */ "functions": ["a",],\n}', {});
    expect(problems).toEqual([]);
    expect(hostJson.functions).toEqual(['a']);
  });
});

describe('host.json defaults (functions.md §8)', () => {
  it('an empty 2.0 file gets the real host defaults', () => {
    const { hostJson } = parse({ version: '2.0' });
    expect(hostJson).toMatchObject({
      functionTimeoutMs: 30 * 60_000,
      logLevel: { default: 'Information' },
      http: { routePrefix: 'api', dynamicThrottlesEnabled: false, customHeaders: {} },
      queues: { batchSize: 16, maxPollingIntervalMs: 60_000, visibilityTimeoutMs: 0, maxDequeueCount: 5, messageEncoding: 'base64' },
      rabbitMQ: { prefetchCount: 30, disableCertificateValidation: false },
      kafka: { maxBatchSize: 64, subscriberIntervalInSeconds: 1, executorChannelCapacity: 1, autoCommitIntervalMs: 200, autoOffsetReset: 'Earliest', sessionTimeoutMs: 10_000, commitOnFailure: true, maxRetries: 5 },
      concurrency: { dynamicConcurrencyEnabled: false, snapshotPersistenceEnabled: true, maximumFunctionConcurrency: 500 },
    });
    expect(hostJson.functions).toBeUndefined();
    expect(hostJson.retry).toBeUndefined();
    expect(hostJson.queues.newBatchThreshold).toBeUndefined();
  });

  it.each([
    ['00:05:00', 300_000],
    ['-1', undefined],
    ['1.00:00:00', 86_400_000],
  ])('functionTimeout %s → %s ms', (value, ms) => {
    expect(parse({ version: '2.0', functionTimeout: value }).hostJson.functionTimeoutMs).toBe(ms);
  });

  it('values are read case-insensitively, with route prefix slashes trimmed and retry parsed to ms', () => {
    const { hostJson, problems } = parse({
      version: '2.0',
      Extensions: { HTTP: { routePrefix: '/v1/' }, Queues: { BatchSize: 8, newBatchThreshold: 4, maxPollingInterval: '00:00:02', messageEncoding: 'None' } },
      logging: { logLevel: { Default: 'warning', 'Function.Fn': 'Debug' } },
      retry: { strategy: 'exponentialBackoff', maxRetryCount: 3, minimumInterval: '00:00:01', maximumInterval: '00:00:30' },
    });
    expect(problems).toEqual([]);
    expect(hostJson.http.routePrefix).toBe('v1');
    expect(hostJson.queues).toMatchObject({ batchSize: 8, newBatchThreshold: 4, maxPollingIntervalMs: 2_000, messageEncoding: 'none' });
    expect(hostJson.logLevel).toEqual({ default: 'Warning', 'Function.Fn': 'Debug' });
    expect(hostJson.retry).toEqual({ strategy: 'exponentialBackoff', maxRetryCount: 3, minimumInterval: 1_000, maximumInterval: 30_000 });
  });

  it.each([
    [{ extensions: { queues: { batchSize: 64 } } }, 'error host.json:extensions.queues.batchSize: must be an integer from 1 to 32 (got 64); the default is used'],
    [{ extensions: { queues: { maxPollingInterval: '00:00:00.050' } } }, 'error host.json:extensions.queues.maxPollingInterval: must be at least 100 ms (got "00:00:00.050"); the default is used'],
    [{ functionTimeout: 'five minutes' }, 'error host.json:functionTimeout: must be a TimeSpan "hh:mm:ss" (got "five minutes"); the default is used'],
    [{ extensions: { kafka: { commitOnFailure: 'sometimes' } } }, 'error host.json:extensions.kafka.commitOnFailure: must be true or false (got "sometimes"); the default is used'],
    [{ retry: { strategy: 'fixedDelay', maxRetryCount: 2 } }, 'error host.json:retry.delayInterval: is required for the fixedDelay strategy ("hh:mm:ss")'],
    [{ logging: { logLevel: { default: 'Loud' } } }, 'warning host.json:logging.logLevel.default: "Loud" is not a log level (one of Trace, Debug, Information, Warning, Error, Critical, None); ignored'],
  ])('%j → %s', (extra, expected) => {
    expect(messages({ version: '2.0', ...extra })).toEqual([expected]);
  });
});

describe('extensionBundle ranges', () => {
  it.each([
    ['[4.*, 5.0.0)', []],
    ['[1.*, 2.0.0)', ['warning host.json:extensionBundle.version: bundle range "[1.*, 2.0.0)" is from an older host (current hosts need "[4.*, 5.0.0)"); tide provides the bindings itself and accepts it']],
    ['latest', ['warning host.json:extensionBundle.version: "latest" is not a version range like "[4.*, 5.0.0)"; tide provides its bindings itself, so the bundle is not needed']],
  ])('%s', (version, expected) => {
    const doc = { version: '2.0', extensionBundle: { id: 'Microsoft.Azure.Functions.ExtensionBundle', version } };
    expect(messages(doc)).toEqual(expected);
    expect(parse(doc).hostJson.extensionBundle).toEqual({ id: 'Microsoft.Azure.Functions.ExtensionBundle', version });
  });
});

describe('AzureFunctionsJobHost__ overrides', () => {
  it.each([
    ['AzureFunctionsJobHost__extensions__queues__batchSize', ['extensions', 'queues', 'batchSize']],
    ['azurefunctionsjobhost:functions:0', ['functions', '0']],
    ['AzureFunctionsJobHost', undefined],
    ['AzureWebJobsStorage', undefined],
    ['AzureFunctionsJobHost__a____b', undefined],
  ])('%s → %j', (name, path) => {
    expect(overridePath(name)).toEqual(path);
  });

  it('an override wins over the file, keeps the file spelling of keys, and the reader coerces strings', () => {
    const { hostJson, problems } = parse(
      { version: '2.0', extensions: { Queues: { batchSize: 16 } } },
      { AzureFunctionsJobHost__EXTENSIONS__queues__BatchSize: '4', AzureFunctionsJobHost__extensions__kafka__commitOnFailure: 'false' },
    );
    expect(problems).toEqual([]);
    expect(hostJson.queues.batchSize).toBe(4);
    expect(hostJson.kafka.commitOnFailure).toBe(false);
    expect(hostJson.raw).toEqual({ version: '2.0', extensions: { Queues: { batchSize: '4' }, kafka: { commitOnFailure: 'false' } } });
  });

  it('array index segments: functions__<i> creates or replaces entries (three in the file, the first replaced)', () => {
    expect(parse({ version: '2.0' }, { AzureFunctionsJobHost__functions__0: 'QueueTrigger', AzureFunctionsJobHost__functions__1: 'Other' }).hostJson.functions).toEqual(['QueueTrigger', 'Other']);
    expect(parse({ version: '2.0', functions: ['a', 'b', 'c'] }, { AzureFunctionsJobHost__functions__0: 'x' }).hostJson.functions).toEqual(['x', 'b', 'c']);
  });

  it('an override under a scalar is a warning naming the setting; the file is not modified', () => {
    const doc = { version: '2.0', functionTimeout: '00:01:00' };
    const { doc: merged, problems } = applyHostOverrides(doc, { AzureFunctionsJobHost__functionTimeout__x: '1' });
    expect(problems.map((p) => p.path)).toEqual(['AzureFunctionsJobHost__functionTimeout__x']);
    expect(merged).toEqual(doc);
    expect(applyHostOverrides(doc, { AzureFunctionsJobHost__version: '3.0' }).doc).toEqual({ version: '3.0', functionTimeout: '00:01:00' });
    expect(doc.version).toBe('2.0');
  });

  it('a version override to something else is reported like a bad file', () => {
    expect(messages({ version: '2.0' }, { AzureFunctionsJobHost__version: '3.0' })[0]).toMatch(/"3.0" is not a valid host.json "version"/);
  });

  it('the default timeout constant is 30 minutes', () => {
    expect(DEFAULT_FUNCTION_TIMEOUT_MS).toBe(1_800_000);
  });
});
