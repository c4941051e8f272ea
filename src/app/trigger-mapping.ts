// One function binding → one KEDA trigger. Only KEDA parameters are written (binding keys such as
// direction, dataType, cardinality, name are the host's business), `%NAME%` values are resolved, and
// connections become `*FromEnv` references to the app setting that holds them, so no secret is
// written into the ScaledObject. Unlike `func kubernetes deploy` this fills what KEDA needs and func
// leaves out (blobContainerName, storageConnectionFromEnv, the Event Hubs checkpoint layout).
import type { Problem } from '../api/problems.js';
import type { ScaleTrigger } from '../api/scale-trigger.js';
import type { BindingDefinition, FunctionDefinition } from './function-model.js';
import { redisConnectionMetadata } from './trigger-mapping-redis.js';
import { BindingReader } from './trigger-mapping-settings.js';

/** What one trigger binding becomes. */
export type TriggerMapping =
  | {
      readonly kind: 'trigger';
      readonly trigger: ScaleTrigger;
      /** Caveats the user should read (what KEDA will count, what still needs a TriggerAuthentication). */
      readonly notes: readonly string[];
      /** Settings the trigger reads through *FromEnv that the caller must add to the replicas' environment. */
      readonly derivedSettings: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'note'; readonly note: string; readonly keepOneReplica?: true }
  | { readonly kind: 'problems'; readonly problems: readonly Problem[] };

interface Mapped {
  type: string;
  metadata: Record<string, string | undefined>;
  derivedSettings?: Record<string, string>;
}

type Mapper = (r: BindingReader) => Mapped | undefined;

const MAPPERS: Readonly<Record<string, Mapper>> = {
  queuetrigger: (r) => ({ type: 'azure-queue', metadata: { queueName: r.required('queueName', 'the queue to watch'), connectionFromEnv: r.connection('connection', 'AzureWebJobsStorage') } }),
  blobtrigger: blob,
  servicebustrigger: serviceBus,
  eventhubtrigger: eventHub,
  rabbitmqtrigger: (r) => {
    const key = r.binding.options['connectionStringSetting'] === undefined && r.binding.options['connection'] !== undefined ? 'connection' : 'connectionStringSetting';
    // No mode/value: KEDA then scales on QueueLength with target 20, as for func's ScaledObject.
    return { type: 'rabbitmq', metadata: { queueName: r.required('queueName', 'the queue to watch'), hostFromEnv: r.connection(key, undefined) } };
  },
  kafkatrigger: kafka,
  redislisttrigger: (r) => redis(r, 'redis', (key) => ({ listName: key })),
  redisstreamtrigger: (r) => {
    r.notes.push(`${r.fn.name}: redis-streams counts the consumer group's lag (lagCount 5, Redis 7 or later): pending entries alone stay 0 while no replica reads, so the app would never scale from zero`);
    return redis(r, 'redis-streams', (key) => ({ stream: key, consumerGroup: r.fn.name, lagCount: '5' }));
  },
};

/** The KEDA trigger for a function's trigger binding, a note when it is not scaled, or the problems that stop it. */
export function triggerForBinding(fn: FunctionDefinition, binding: BindingDefinition, settings: Readonly<Record<string, string>>): TriggerMapping {
  const type = binding.type.toLowerCase();
  if (type === 'httptrigger') return { kind: 'note', note: `${fn.name}: HTTP functions are not scaled by a trigger` };
  if (type === 'timertrigger') return { kind: 'note', note: `${fn.name}: timer apps keep one replica`, keepOneReplica: true };
  const mapper = MAPPERS[type];
  if (mapper === undefined) return { kind: 'note', note: `${fn.name}: ${binding.type} has no KEDA scaler; it is not scaled` };
  const reader = new BindingReader(fn, binding, settings);
  const mapped = mapper(reader);
  if (mapped === undefined || reader.problems.length > 0) return { kind: 'problems', problems: reader.problems };
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(mapped.metadata)) if (value !== undefined) metadata[key] = value;
  return { kind: 'trigger', trigger: { type: mapped.type, name: fn.name, metadata }, notes: reader.notes, derivedSettings: mapped.derivedSettings ?? {} };
}

/** `container/prefix{name}…` → container and the literal prefix before the first `{`. */
function blob(r: BindingReader): Mapped | undefined {
  const path = r.required('path', 'container/{name}');
  if (path === undefined) return undefined;
  const slash = path.indexOf('/');
  const container = slash < 0 ? path : path.slice(0, slash);
  if (container === '' || container.includes('{')) {
    r.fail('path', `"${path}" must start with a literal container name (container/{name})`);
    return undefined;
  }
  const rest = slash < 0 ? '' : path.slice(slash + 1);
  const brace = rest.indexOf('{');
  const prefix = brace < 0 ? rest : rest.slice(0, brace);
  r.notes.push(`${r.fn.name}: azure-blob counts every blob under ${container}/${prefix}, processed or not: replicas stay while blobs remain`);
  return {
    type: 'azure-blob',
    // recursive: the trigger's {name} matches across "/", so blobs in virtual folders count too.
    metadata: { blobContainerName: container, blobPrefix: prefix === '' ? undefined : prefix, recursive: 'true', connectionFromEnv: r.connection('connection', 'AzureWebJobsStorage') },
  };
}

function serviceBus(r: BindingReader): Mapped | undefined {
  const queueName = r.text('queueName');
  const topicName = r.text('topicName');
  const subscriptionName = r.text('subscriptionName');
  if (queueName !== undefined && topicName !== undefined) r.fail('topicName', 'set either queueName or topicName with subscriptionName, not both');
  else if (queueName === undefined && topicName === undefined) r.fail('queueName', 'set queueName, or topicName with subscriptionName');
  else if (topicName !== undefined && subscriptionName === undefined) r.fail('subscriptionName', `is required with topicName "${topicName}"`);
  const connectionFromEnv = r.connection('connection', 'AzureWebJobsServiceBus');
  if (queueName !== undefined) return { type: 'azure-servicebus', metadata: { queueName, connectionFromEnv } };
  return { type: 'azure-servicebus', metadata: { topicName, subscriptionName, connectionFromEnv } };
}

/** The host checkpoints with the SDK's BlobCheckpointStore in azure-webjobs-eventhub: KEDA's blobMetadata layout. */
function eventHub(r: BindingReader): Mapped | undefined {
  const connectionFromEnv = r.connection('connection', undefined);
  const eventHubName = r.text('eventHubName') ?? r.text('path');
  const connectionValue = connectionFromEnv === undefined ? undefined : r.settings[connectionFromEnv];
  if (eventHubName === undefined && connectionValue !== undefined && !/(^|;)\s*EntityPath\s*=/i.test(connectionValue)) {
    r.fail('eventHubName', `is required: connection setting "${connectionFromEnv ?? ''}" has no EntityPath`);
  }
  return {
    type: 'azure-eventhub',
    metadata: {
      eventHubName,
      consumerGroup: r.text('consumerGroup') ?? '$Default',
      connectionFromEnv,
      storageConnectionFromEnv: r.existingSetting('AzureWebJobsStorage', 'connection'),
      checkpointStrategy: 'blobMetadata',
      blobContainer: 'azure-webjobs-eventhub',
    },
  };
}

const SASL: Readonly<Record<string, string>> = { plain: 'plaintext', scramsha256: 'scram_sha256', scramsha512: 'scram_sha512' };

function kafka(r: BindingReader): Mapped | undefined {
  const settingOrLiteral = (key: string): string | undefined => r.settingOrLiteral(key);
  const bootstrapServers = r.required('brokerList', 'host:port[,host:port], or the name of a setting holding it', settingOrLiteral);
  const consumerGroup = r.required('consumerGroup', 'the consumer group the function reads as', settingOrLiteral);
  const metadata: Record<string, string | undefined> = { bootstrapServers, topic: r.required('topic', 'the topic to consume'), consumerGroup };
  // lagThreshold means the same for the Functions scale controller and KEDA: target lag per replica.
  const lag = r.binding.options['lagThreshold'];
  if (typeof lag === 'number' || (typeof lag === 'string' && lag !== '')) metadata['lagThreshold'] = String(lag);
  const mode = optionText(r, 'authenticationMode', 'NotSet');
  if (mode !== 'notset') {
    const sasl = SASL[mode];
    if (sasl !== undefined) metadata['sasl'] = sasl;
    r.notes.push(`${r.fn.name}: kafka authenticationMode ${mode}: ${sasl === undefined ? 'has no mapping here; ' : ''}KEDA reads SASL username and password only from a TriggerAuthentication, which this mapping does not write`);
  }
  const protocol = optionText(r, 'protocol', 'NotSet');
  if (protocol === 'ssl' || protocol === 'saslssl') metadata['tls'] = 'enable';
  return { type: 'kafka', metadata };
}

/** A case-insensitive enum option, lower-cased; `fallback` when absent. */
function optionText(r: BindingReader, key: string, fallback: string): string {
  const raw = r.binding.options[key];
  return (typeof raw === 'string' && raw !== '' ? raw : fallback).toLowerCase();
}

function redis(r: BindingReader, type: string, own: (key: string) => Record<string, string>): Mapped | undefined {
  const key = r.required('key', 'the Redis key to watch');
  const setting = r.connection('connection', undefined);
  if (key === undefined || setting === undefined) return undefined;
  const connection = redisConnectionMetadata(setting, r.settings[setting] ?? '');
  if (typeof connection === 'string') {
    r.fail('connection', connection);
    return undefined;
  }
  if (Object.keys(connection.derivedSettings).length > 0) {
    r.notes.push(`${r.fn.name}: the Redis password of "${setting}" is read through passwordFromEnv ${Object.keys(connection.derivedSettings).join(', ')}, a setting derived from the connection string`);
  }
  return { type, metadata: { ...own(key), ...connection.metadata }, derivedSettings: connection.derivedSettings };
}
