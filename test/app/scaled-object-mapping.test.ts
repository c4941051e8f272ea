import { describe, expect, it } from 'vitest';
import type { FunctionDefinition } from '../../src/app/function-model.js';
import { scaledObjectForApp, triggerForBinding } from '../../src/app/scaled-object-mapping.js';
import { redisPasswordSettingName } from '../../src/app/trigger-mapping-redis.js';
import { validateObject } from '../../src/api/validate.js';

const fn = (name: string, type: string, options: Record<string, unknown>, disabled = false): FunctionDefinition => {
  const trigger = { name: 'item', type, direction: 'in' as const, dataType: 'string', options: { cardinality: 'many', ...options } };
  return { name, trigger, bindings: [trigger], disabled, source: { model: 'v3', scriptFile: `/app/${name}/index.js`, directory: `/app/${name}` } };
};

const settings: Record<string, string> = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  AzureWebJobsServiceBus: 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s',
  OtherStorage: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k',
  AzureWebJobsLegacyConn: 'DefaultEndpointsProtocol=https;AccountName=b;AccountKey=k',
  EventHubConn: 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s',
  EventHubWithPath: 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s;EntityPath=orders',
  RabbitConn: 'amqp://user:secret@rabbit:5672/vhost',
  BrokerList: 'kafka-0:9092,kafka-1:9092',
  QueueSuffix: 'prod',
  RedisPlain: 'redis:6379',
  RedisStackExchange: 'cache.example.net:6380,password=s3cret,ssl=True,abortConnect=False',
  RedisUrl: 'rediss://app:p%40ss@cache:6390/2',
};

const metadataOf = (type: string, options: Record<string, unknown>) => {
  const f = fn('Fn', type, options);
  const mapped = triggerForBinding(f, f.trigger, settings);
  if (mapped.kind !== 'trigger') throw new Error(`expected a trigger, got ${JSON.stringify(mapped)}`);
  return { type: mapped.trigger.type, name: mapped.trigger.name, metadata: mapped.trigger.metadata };
};

describe('triggerForBinding: one KEDA trigger per binding, only KEDA parameters (no direction, dataType, cardinality, name)', () => {
  const cases: { title: string; type: string; options: Record<string, unknown>; keda: string; metadata: Record<string, string> }[] = [
    { title: 'queue, default connection → AzureWebJobsStorage', type: 'queueTrigger', options: { queueName: 'js-queue-items' }, keda: 'azure-queue', metadata: { queueName: 'js-queue-items', connectionFromEnv: 'AzureWebJobsStorage' } },
    { title: 'queue, named connection', type: 'queueTrigger', options: { queueName: 'q', connection: 'OtherStorage' }, keda: 'azure-queue', metadata: { queueName: 'q', connectionFromEnv: 'OtherStorage' } },
    { title: 'queue, empty connection (template default) → AzureWebJobsStorage', type: 'queueTrigger', options: { queueName: 'q', connection: '' }, keda: 'azure-queue', metadata: { queueName: 'q', connectionFromEnv: 'AzureWebJobsStorage' } },
    { title: 'queue, connection LegacyConn found as AzureWebJobsLegacyConn (as the host looks it up)', type: 'queueTrigger', options: { queueName: 'q', connection: 'LegacyConn' }, keda: 'azure-queue', metadata: { queueName: 'q', connectionFromEnv: 'AzureWebJobsLegacyConn' } },
    { title: 'queue, %QueueSuffix% inside the name resolves to "orders-prod"', type: 'queueTrigger', options: { queueName: 'orders-%QueueSuffix%' }, keda: 'azure-queue', metadata: { queueName: 'orders-prod', connectionFromEnv: 'AzureWebJobsStorage' } },
    { title: 'blob: container/prefix{name} → prefix "in/img-"', type: 'blobTrigger', options: { path: 'uploads/in/img-{name}.png' }, keda: 'azure-blob', metadata: { blobContainerName: 'uploads', blobPrefix: 'in/img-', recursive: 'true', connectionFromEnv: 'AzureWebJobsStorage' } },
    { title: 'blob: container/{name} → no prefix', type: 'blobTrigger', options: { path: 'samples-workitems/{name}', connection: 'OtherStorage' }, keda: 'azure-blob', metadata: { blobContainerName: 'samples-workitems', recursive: 'true', connectionFromEnv: 'OtherStorage' } },
    { title: 'service bus queue, default connection AzureWebJobsServiceBus', type: 'serviceBusTrigger', options: { queueName: 'orders', isSessionsEnabled: false }, keda: 'azure-servicebus', metadata: { queueName: 'orders', connectionFromEnv: 'AzureWebJobsServiceBus' } },
    { title: 'service bus topic + subscription', type: 'serviceBusTrigger', options: { topicName: 't', subscriptionName: 's', connection: 'AzureWebJobsServiceBus' }, keda: 'azure-servicebus', metadata: { topicName: 't', subscriptionName: 's', connectionFromEnv: 'AzureWebJobsServiceBus' } },
    {
      title: 'event hub: host checkpoints (BlobCheckpointStore in azure-webjobs-eventhub) = blobMetadata; consumerGroup defaults to $Default',
      type: 'eventHubTrigger',
      options: { eventHubName: 'orders', connection: 'EventHubConn' },
      keda: 'azure-eventhub',
      metadata: { eventHubName: 'orders', consumerGroup: '$Default', connectionFromEnv: 'EventHubConn', storageConnectionFromEnv: 'AzureWebJobsStorage', checkpointStrategy: 'blobMetadata', blobContainer: 'azure-webjobs-eventhub' },
    },
    {
      title: 'event hub: hub from the connection string EntityPath, explicit consumer group',
      type: 'eventHubTrigger',
      options: { connection: 'EventHubWithPath', consumerGroup: 'cg' },
      keda: 'azure-eventhub',
      metadata: { consumerGroup: 'cg', connectionFromEnv: 'EventHubWithPath', storageConnectionFromEnv: 'AzureWebJobsStorage', checkpointStrategy: 'blobMetadata', blobContainer: 'azure-webjobs-eventhub' },
    },
    { title: 'rabbitmq: hostFromEnv = connectionStringSetting, no mode (KEDA default QueueLength 20)', type: 'rabbitMQTrigger', options: { queueName: 'jobs', connectionStringSetting: 'RabbitConn' }, keda: 'rabbitmq', metadata: { queueName: 'jobs', hostFromEnv: 'RabbitConn' } },
    { title: 'kafka: brokerList names a setting → its value', type: 'kafkaTrigger', options: { brokerList: 'BrokerList', topic: 'users', consumerGroup: 'g', protocol: 'NotSet', authenticationMode: 'NotSet' }, keda: 'kafka', metadata: { bootstrapServers: 'kafka-0:9092,kafka-1:9092', topic: 'users', consumerGroup: 'g' } },
    { title: 'kafka: %BrokerList% → its value', type: 'kafkaTrigger', options: { brokerList: '%BrokerList%', topic: 'users', consumerGroup: 'g' }, keda: 'kafka', metadata: { bootstrapServers: 'kafka-0:9092,kafka-1:9092', topic: 'users', consumerGroup: 'g' } },
    { title: 'kafka: literal broker list, lagThreshold 50 kept, SaslSsl + ScramSha512 → tls enable, sasl scram_sha512', type: 'kafkaTrigger', options: { brokerList: 'b:9093', topic: 't', consumerGroup: 'g', lagThreshold: 50, protocol: 'SaslSsl', authenticationMode: 'ScramSha512', username: 'u', password: '%KafkaPassword%' }, keda: 'kafka', metadata: { bootstrapServers: 'b:9093', topic: 't', consumerGroup: 'g', lagThreshold: '50', sasl: 'scram_sha512', tls: 'enable' } },
    { title: 'redis list, bare host:port setting → addressFromEnv', type: 'redisListTrigger', options: { connection: 'RedisPlain', key: 'jobs', listDirection: 'LEFT' }, keda: 'redis', metadata: { listName: 'jobs', addressFromEnv: 'RedisPlain' } },
    { title: 'redis stream: consumerGroup = function name, lagCount 5', type: 'redisStreamTrigger', options: { connection: 'RedisPlain', key: 'events' }, keda: 'redis-streams', metadata: { stream: 'events', consumerGroup: 'Fn', lagCount: '5', addressFromEnv: 'RedisPlain' } },
  ];
  it.each(cases)('$title', ({ type, options, keda, metadata }) => {
    expect(metadataOf(type, options)).toEqual({ type: keda, name: 'Fn', metadata });
  });
});

describe('Redis passwords never go into plain metadata', () => {
  it.each([
    { title: 'StackExchange form: address host:port, ssl=True → enableTLS', connection: 'RedisStackExchange', password: 's3cret', metadata: { listName: 'k', address: 'cache.example.net:6380', enableTLS: 'true' } },
    { title: 'rediss:// URL: user in metadata, %40 decoded in the password, db 2', connection: 'RedisUrl', password: 'p@ss', metadata: { listName: 'k', address: 'cache:6390', username: 'app', enableTLS: 'true', databaseIndex: '2' } },
  ])('$title', ({ connection, password, metadata }) => {
    const f = fn('Fn', 'redisListTrigger', { connection, key: 'k' });
    const mapped = triggerForBinding(f, f.trigger, settings);
    if (mapped.kind !== 'trigger') throw new Error(JSON.stringify(mapped));
    const name = redisPasswordSettingName(connection);
    expect(mapped.trigger.metadata).toEqual({ ...metadata, passwordFromEnv: name });
    expect(JSON.stringify(mapped.trigger)).not.toContain(password);
    expect(mapped.derivedSettings).toEqual({ [name]: password });
    expect(mapped.notes.join('\n')).toContain(name);
  });

  it('the derived setting name is env-safe: ConnectionStrings:Redis → TIDE_REDIS_PASSWORD_CONNECTIONSTRINGS_REDIS', () => {
    expect(redisPasswordSettingName('ConnectionStrings:Redis')).toBe('TIDE_REDIS_PASSWORD_CONNECTIONSTRINGS_REDIS');
  });
});

describe('bad bindings become problems naming the setting or option', () => {
  it.each([
    { title: '%Missing% in queueName', type: 'queueTrigger', options: { queueName: 'q-%Missing%' }, path: 'functions.Fn.queueName', text: 'app setting "Missing" (from %Missing%) is not set' },
    { title: 'connection setting not set', type: 'queueTrigger', options: { queueName: 'q', connection: 'NoSuchConn' }, path: 'functions.Fn.connection', text: 'connection setting "NoSuchConn" is not set' },
    { title: 'identity-based connection', type: 'serviceBusTrigger', options: { queueName: 'q', connection: 'Identity' }, path: 'functions.Fn.connection', text: 'identity-based (Identity__…)' },
    { title: 'queueName missing', type: 'queueTrigger', options: {}, path: 'functions.Fn.queueName', text: '"queueName" is required' },
    { title: 'blob path starting with a pattern', type: 'blobTrigger', options: { path: '{container}/x' }, path: 'functions.Fn.path', text: 'literal container name' },
    { title: 'service bus topic without subscription', type: 'serviceBusTrigger', options: { topicName: 't' }, path: 'functions.Fn.subscriptionName', text: 'is required with topicName "t"' },
    { title: 'service bus queue and topic', type: 'serviceBusTrigger', options: { queueName: 'q', topicName: 't', subscriptionName: 's' }, path: 'functions.Fn.topicName', text: 'not both' },
    { title: 'event hub without connection (func crashes here)', type: 'eventHubTrigger', options: { eventHubName: 'h' }, path: 'functions.Fn.connection', text: '"connection" is required' },
    { title: 'event hub without name or EntityPath', type: 'eventHubTrigger', options: { connection: 'EventHubConn' }, path: 'functions.Fn.eventHubName', text: 'no EntityPath' },
    { title: 'rabbitmq without connectionStringSetting', type: 'rabbitMQTrigger', options: { queueName: 'q' }, path: 'functions.Fn.connectionStringSetting', text: 'is required' },
    { title: 'kafka without consumerGroup', type: 'kafkaTrigger', options: { brokerList: 'b:9092', topic: 't' }, path: 'functions.Fn.consumerGroup', text: 'is required' },
    { title: 'kafka %MissingBrokers%: one problem naming the setting', type: 'kafkaTrigger', options: { brokerList: '%MissingBrokers%', topic: 't', consumerGroup: 'g' }, path: 'functions.Fn.brokerList', text: 'app setting "MissingBrokers"' },
    { title: 'redis connection naming no host', type: 'redisListTrigger', options: { connection: 'OnlyPassword', key: 'k' }, path: 'functions.Fn.connection', text: 'names no host' },
  ])('$title', ({ type, options, path, text }) => {
    const f = fn('Fn', type, options);
    const mapped = triggerForBinding(f, f.trigger, { ...settings, Identity__fullyQualifiedNamespace: 'ns.servicebus.windows.net', OnlyPassword: 'password=x' });
    if (mapped.kind !== 'problems') throw new Error(JSON.stringify(mapped));
    expect(mapped.problems).toEqual([expect.objectContaining({ path, severity: 'error', message: expect.stringContaining(text) as string })]);
  });
});

describe('scaledObjectForApp', () => {
  const queue = fn('QueueFn', 'queueTrigger', { queueName: 'js-queue-items' });
  const http = fn('HttpFn', 'httpTrigger', { authLevel: 'anonymous', methods: ['get'] });

  it('an http + queue app: one azure-queue trigger named after the function, HTTP noted; the object validates', () => {
    const result = scaledObjectForApp({ functions: [http, queue], settings }, { name: 'hello', namespace: 'apps', pollingInterval: 2, cooldownPeriod: 15, maxReplicaCount: 10 });
    expect(result.problems).toEqual([]);
    expect(result.scaledObject).toEqual({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'hello', namespace: 'apps' },
      spec: {
        scaleTargetRef: { name: 'hello' },
        pollingInterval: 2,
        cooldownPeriod: 15,
        maxReplicaCount: 10,
        triggers: [{ type: 'azure-queue', name: 'QueueFn', metadata: { queueName: 'js-queue-items', connectionFromEnv: 'AzureWebJobsStorage' } }],
      },
    });
    expect(result.triggers).toEqual([{ functionName: 'QueueFn', bindingType: 'queueTrigger', trigger: result.scaledObject?.spec.triggers[0] }]);
    expect(result.notes).toEqual(['HttpFn: HTTP functions are not scaled by a trigger']);
    expect(result.minReplicaCount).toBe(0);
    expect(validateObject(result.scaledObject)).toEqual([]);
  });

  it('scaleTargetName overrides the target; disabled functions are skipped with a note', () => {
    const off = fn('OffFn', 'queueTrigger', { queueName: 'q-%Missing%' }, true);
    const result = scaledObjectForApp({ functions: [off, queue], settings }, { name: 'so', scaleTargetName: 'deploy' });
    expect(result.problems).toEqual([]); // the disabled function's missing setting is not checked
    expect(result.scaledObject?.spec.scaleTargetRef).toEqual({ name: 'deploy' });
    expect(result.scaledObject?.spec.triggers.map((t) => t.name)).toEqual(['QueueFn']);
    expect(result.notes).toContain('OffFn: disabled, not scaled');
  });

  it.each([
    { title: 'only HTTP', functions: [http] },
    { title: 'only a disabled queue function', functions: [fn('Q', 'queueTrigger', { queueName: 'q' }, true)] },
    { title: 'only a cosmosDBTrigger (no KEDA scaler)', functions: [fn('C', 'cosmosDBTrigger', { databaseName: 'd' })] },
  ])('no scalable trigger ($title) → a problem and no object', ({ functions }) => {
    const result = scaledObjectForApp({ functions, settings }, { name: 'x' });
    expect(result.scaledObject).toBeUndefined();
    expect(result.problems).toEqual([expect.objectContaining({ path: '', severity: 'error', message: expect.stringContaining('no scalable trigger') as string })]);
  });

  it('a timer function keeps one replica: minReplicaCount max(0, 1) = 1 in the object', () => {
    const timer = fn('Tick', 'timerTrigger', { schedule: '0 */5 * * * *' });
    const result = scaledObjectForApp({ functions: [timer, queue], settings }, { name: 'x', maxReplicaCount: 5 });
    expect(result.notes).toContain('Tick: timer apps keep one replica');
    expect(result.minReplicaCount).toBe(1);
    expect(result.scaledObject?.spec.minReplicaCount).toBe(1);
    expect(validateObject(result.scaledObject)).toEqual([]);
  });

  it('a timer-only app: no object, no problem, minReplicaCount 1', () => {
    const result = scaledObjectForApp({ functions: [fn('Tick', 'timerTrigger', { schedule: '0 0 * * * *' })], settings }, { name: 'x' });
    expect(result).toMatchObject({ problems: [], minReplicaCount: 1, notes: ['Tick: timer apps keep one replica'] });
    expect(result.scaledObject).toBeUndefined();
  });

  it('a missing setting stops the object and the problem names the setting', () => {
    const result = scaledObjectForApp({ functions: [queue, fn('Bad', 'queueTrigger', { queueName: '%QueueName%' })], settings }, { name: 'x' });
    expect(result.scaledObject).toBeUndefined();
    expect(result.problems).toEqual([expect.objectContaining({ path: 'functions.Bad.queueName', message: 'app setting "QueueName" (from %QueueName%) is not set' })]);
  });

  it('every trigger type together gives one valid object with unique trigger names; derived Redis settings collected', () => {
    const functions = [
      queue,
      fn('Blob', 'blobTrigger', { path: 'c/p-{name}' }),
      fn('Bus', 'serviceBusTrigger', { queueName: 'q' }),
      fn('Hub', 'eventHubTrigger', { eventHubName: 'h', connection: 'EventHubConn' }),
      fn('Rabbit', 'rabbitMQTrigger', { queueName: 'q', connectionStringSetting: 'RabbitConn' }),
      fn('Kafka', 'kafkaTrigger', { brokerList: 'BrokerList', topic: 't', consumerGroup: 'g' }),
      fn('List', 'redisListTrigger', { connection: 'RedisStackExchange', key: 'l' }),
      fn('Stream', 'redisStreamTrigger', { connection: 'RedisUrl', key: 's' }),
    ];
    const result = scaledObjectForApp({ functions, settings }, { name: 'all', minReplicaCount: 0, maxReplicaCount: 20 });
    expect(result.problems).toEqual([]);
    expect(result.scaledObject?.spec.triggers.map((t) => t.type)).toEqual(['azure-queue', 'azure-blob', 'azure-servicebus', 'azure-eventhub', 'rabbitmq', 'kafka', 'redis', 'redis-streams']);
    expect(validateObject(result.scaledObject)).toEqual([]);
    expect(result.derivedSettings).toEqual({ [redisPasswordSettingName('RedisStackExchange')]: 's3cret', [redisPasswordSettingName('RedisUrl')]: 'p@ss' });
    const written = JSON.stringify(result.scaledObject);
    for (const key of ['"direction"', '"dataType"', '"cardinality"', 's3cret', 'p@ss']) expect(written).not.toContain(key);
  });
});
