import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_ACCOUNT } from '../../src/scalers/azure-connection.js';
import { runCli } from '../helpers/cli.js';
import { withDefaultPortAzurite } from '../helpers/default-ports.js';
import { startAzurite, type Azurite } from '../servers/azurite.js';

describe('tide scaler check', () => {
  it('prints one JSON line per metric spec with Quantity strings and the s<index>- prefix', async () => {
    const run = await runCli(['scaler', 'check', 'azure-queue', '--metadata', 'queueName=q', '--metadata', 'connectionFromEnv=X', '--env', 'X=UseDevelopmentStorage=true', '--index', '2']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('{"metricName":"s2-azure-queue-q","target":"5","activationTarget":"0","metricType":"AverageValue"}\n');
  });

  it('splits key=value on the first = only and formats milli targets', async () => {
    const run = await runCli(['scaler', 'check', 'prometheus', '--metadata', 'serverAddress=http://p:9090', '--metadata', 'query=sum(rate(x{a="b"}[1m]))', '--metadata', 'threshold=2.5', '--metric-type', 'Value']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ metricName: 's0-prometheus', target: '2500m', activationTarget: '0', metricType: 'Value' });
  });

  it('reports every problem with trigger, parameter and source, exit 1, no secret', async () => {
    const run = await runCli(['scaler', 'check', 'azure-queue', '--metadata', 'queueLength=abc', '--auth', 'connection=AccountKey=supersecretkey']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('trigger 0 (azure-queue): metadata.queueName: required');
    expect(run.stderr).toContain('trigger 0 (azure-queue): metadata.queueLength: "abc" is not an integer');
    expect(run.stderr).not.toContain('supersecretkey');
  });

  it('warns when a parameter is set twice (metadata and FromEnv): KEDA takes the first in its lookup order', async () => {
    const run = await runCli(['scaler', 'check', 'azure-queue', '--metadata', 'queueName=q', '--metadata', 'connection=a=b', '--metadata', 'connectionFromEnv=X', '--env', 'X=c=d']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('metadata.connection: connection is set in metadata.connection and metadata.connectionFromEnv; the value from metadata.connection is used');
  });

  it.each([
    [['scaler', 'check', 'azure-queu'], 'unknown trigger type "azure-queu"; did you mean "azure-queue"?'],
    [['scaler', 'check', 'azure-queue', '--metadata', 'novalue'], '--metadata takes key=value, got "novalue"'],
    [['scaler', 'frob'], 'unknown subcommand "frob"'],
    [['scaler', 'check', 'cron', '--metric-type', 'Average'], '--metric-type must be one of'],
  ])('%j → usage error', async (argv, message) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

describe('tide scaler get', () => {
  it('reads a cron trigger from the clock: the next start (within a minute) comes before the next end (1 January) → inactive, 0', async () => {
    const run = await runCli(['scaler', 'get', 'cron', '--metadata', 'timezone=UTC', '--metadata', 'start=* * * * *', '--metadata', 'end=0 0 1 1 *', '--metadata', 'desiredReplicas=3']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ metricName: 's0-cron-UTC-xxxxx-0011x', value: 0, target: 1, active: false });
  });
});

describe('tide scaler get against Azurite', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite({});
  });
  afterAll(async () => {
    await azurite.stop();
  });

  it('prints the real length of a queue, reading the connection from --env', async () => {
    const name = `cli${process.pid}q`;
    const queue = new QueueClient(azurite.connection, name);
    await queue.create();
    for (let i = 0; i < 3; i++) await queue.sendMessage(`m${i}`);
    const run = await runCli(['scaler', 'get', 'azure-queue', '--metadata', `queueName=${name}`, '--metadata', 'connectionFromEnv=AzureWebJobsStorage', '--env', `AzureWebJobsStorage=${azurite.connection}`]);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ metricName: `s0-azure-queue-${name}`, value: 3, target: 5, active: true });
    expect(run.code).toBe(0);
  });

  it('a missing queue exits 1 naming the queue; an unreachable endpoint exits 3; neither prints the key', async () => {
    const missing = await runCli(['scaler', 'get', 'azure-queue', '--metadata', 'queueName=nope', '--auth', `connection=${azurite.connection}`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('queue "nope" does not exist');
    const closed = azurite.connection.replace(`:${azurite.queuePort}/`, ':1/');
    const unreachable = await runCli(['scaler', 'get', 'azure-queue', '--metadata', 'queueName=q', '--auth', `connection=${closed}`, '--timeout', '1']);
    expect(unreachable.code).toBe(3);
    for (const run of [missing, unreachable]) expect(run.stderr).not.toContain(DEV_ACCOUNT.key);
  });

  it('UseDevelopmentStorage=true reads Azurite on its default ports (skipped when they are taken)', async (ctx) => {
    return withDefaultPortAzurite(ctx, async (local) => {
      const queue = new QueueClient(local.connection, `cli${process.pid}dev`);
      await queue.create();
      await queue.sendMessage('x');
      await queue.sendMessage('y');
      const run = await runCli(['scaler', 'get', 'azure-queue', '--metadata', `queueName=${queue.name}`, '--metadata', 'connectionFromEnv=AzureWebJobsStorage', '--env', 'AzureWebJobsStorage=UseDevelopmentStorage=true']);
      expect(JSON.parse(run.stdout)).toMatchObject({ value: 2, active: true });
    });
  }, 180_000);
});
