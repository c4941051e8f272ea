import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

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
