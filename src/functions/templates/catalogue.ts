// The templates `tide new` offers: func's Node templates under their display names (functions.md §4),
// plus tide's own v4 templates for triggers func only offers for v3 or not at all (RabbitMQ, Kafka,
// Redis list and stream), registered through app.generic. Each template is data: the v3 bindings and
// the v4 registration, so the v3 and v4 writers stay one small function each.
import { nearest } from '../../api/nearest.js';

export type Language = 'javascript' | 'typescript';
export type ProgrammingModel = 'v3' | 'v4';

/** One handler parameter of a template's code (the trigger value). */
export interface HandlerParam {
  readonly name: string;
  /** Its TypeScript type, from @azure/functions when it is a type name imported from there. */
  readonly tsType: string;
}

/** A v3 template: a folder with function.json and index.js|ts. */
export interface V3Template {
  readonly defaultName: string;
  /** function.json bindings, trigger first, in func's key order. */
  readonly bindings: readonly Readonly<Record<string, unknown>>[];
  readonly param: HandlerParam;
  /** Body lines of the handler (4-space indented by the writer); `context` is in scope. */
  readonly body: readonly string[];
  /** TypeScript body when it differs from `body`. */
  readonly bodyTs?: readonly string[];
}

/** A v4 template: one file under src/functions registering one function. */
export interface V4Template {
  readonly defaultName: string;
  /** The `app.<method>` call; `generic` registers `trigger` through trigger.generic. */
  readonly method: string;
  /** Options of the call besides `handler` (and `trigger` for generic), in order. */
  readonly options: Readonly<Record<string, unknown>>;
  /** For app.generic: the trigger binding (type first), without a name (the library names it). */
  readonly trigger?: Readonly<Record<string, unknown>>;
  readonly param: HandlerParam;
  readonly body: readonly string[];
  /** HTTP handlers return a response and are async in JavaScript too. */
  readonly returnsTs?: string;
  /** Extra names imported from @azure/functions in TypeScript. */
  readonly tsImports?: readonly string[];
}

export interface Template {
  /** func's display name ("Azure Queue Storage trigger"). */
  readonly name: string;
  /** The v3 template id (QueueTrigger), also accepted as --template. */
  readonly id: string;
  /** Where the template comes from: func's catalogue or tide's own. */
  readonly origin: 'func' | 'tide';
  readonly v3?: V3Template;
  readonly v4?: V4Template;
}

const log = (text: string, value: string): string => `context.log('${text}', ${value});`;

export const TEMPLATES: readonly Template[] = [
  {
    name: 'Azure Queue Storage trigger',
    id: 'QueueTrigger',
    origin: 'func',
    v3: {
      defaultName: 'QueueTrigger',
      bindings: [{ name: 'myQueueItem', type: 'queueTrigger', direction: 'in', queueName: 'js-queue-items', connection: '' }],
      param: { name: 'myQueueItem', tsType: 'string' },
      body: [log('JavaScript queue trigger function processed work item', 'myQueueItem')],
      bodyTs: [log('Queue trigger function processed work item', 'myQueueItem')],
    },
    v4: {
      defaultName: 'storageQueueTrigger',
      method: 'storageQueue',
      options: { queueName: 'js-queue-items', connection: '' },
      param: { name: 'queueItem', tsType: 'unknown' },
      body: [log('Storage queue function processed work item:', 'queueItem')],
    },
  },
  {
    name: 'HTTP trigger',
    id: 'HttpTrigger',
    origin: 'func',
    v3: {
      defaultName: 'HttpTrigger',
      bindings: [
        { authLevel: 'function', type: 'httpTrigger', direction: 'in', name: 'req', methods: ['get', 'post'] },
        { type: 'http', direction: 'out', name: 'res' },
      ],
      param: { name: 'req', tsType: 'HttpRequest' },
      body: [
        "context.log('HTTP trigger function processed a request.');",
        'const name = (req.query.name || (req.body && req.body.name));',
        'const responseMessage = name',
        '    ? "Hello, " + name + ". This HTTP triggered function executed successfully."',
        '    : "This HTTP triggered function executed successfully. Pass a name in the query string or in the request body for a personalized response.";',
        '',
        'context.res = {',
        '    // status: 200, /* Defaults to 200 */',
        '    body: responseMessage',
        '};',
      ],
    },
    v4: {
      defaultName: 'httpTrigger',
      method: 'http',
      options: { methods: ['GET', 'POST'], authLevel: 'anonymous' },
      param: { name: 'request', tsType: 'HttpRequest' },
      body: [
        'context.log(`Http function processed request for url "${request.url}"`);',
        '',
        "const name = request.query.get('name') || await request.text() || 'world';",
        '',
        'return { body: `Hello, ${name}!` };',
      ],
      returnsTs: 'HttpResponseInit',
      tsImports: ['HttpRequest', 'HttpResponseInit'],
    },
  },
  {
    name: 'Timer trigger',
    id: 'TimerTrigger',
    origin: 'func',
    v3: {
      defaultName: 'TimerTrigger',
      bindings: [{ name: 'myTimer', type: 'timerTrigger', direction: 'in', schedule: '0 */5 * * * *' }],
      param: { name: 'myTimer', tsType: 'any' },
      body: [
        'const timeStamp = new Date().toISOString();',
        '',
        'if (myTimer.isPastDue) {',
        "    context.log('Timer function is running late!');",
        '}',
        log('Timer trigger function ran!', 'timeStamp'),
      ],
    },
    v4: {
      defaultName: 'timerTrigger',
      method: 'timer',
      options: { schedule: '0 */5 * * * *' },
      param: { name: 'myTimer', tsType: 'Timer' },
      body: ["context.log('Timer function processed request.');"],
      tsImports: ['Timer'],
    },
  },
  {
    name: 'Azure Blob Storage trigger',
    id: 'BlobTrigger',
    origin: 'func',
    v3: {
      defaultName: 'BlobTrigger',
      bindings: [{ name: 'myBlob', type: 'blobTrigger', direction: 'in', path: 'samples-workitems/{name}', connection: '' }],
      param: { name: 'myBlob', tsType: 'any' },
      body: ['context.log("Blob trigger function processed blob \\n Name:", context.bindingData.name, "\\n Blob Size:", myBlob.length, "Bytes");'],
    },
    v4: {
      defaultName: 'storageBlobTrigger',
      method: 'storageBlob',
      options: { path: 'samples-workitems/{name}', connection: '' },
      param: { name: 'blob', tsType: 'Buffer' },
      body: ['context.log(`Storage blob function processed blob "${context.triggerMetadata.name}" with size ${blob.length} bytes`);'],
    },
  },
  {
    name: 'Azure Service Bus Queue trigger',
    id: 'ServiceBusQueueTrigger',
    origin: 'func',
    v3: {
      defaultName: 'ServiceBusQueueTrigger',
      bindings: [{ name: 'mySbMsg', type: 'serviceBusTrigger', direction: 'in', queueName: 'myinputqueue', connection: '' }],
      param: { name: 'mySbMsg', tsType: 'any' },
      body: [log('ServiceBus queue trigger function processed message', 'mySbMsg')],
    },
    v4: {
      defaultName: 'serviceBusQueueTrigger',
      method: 'serviceBusQueue',
      options: { connection: '', queueName: 'myinputqueue' },
      param: { name: 'message', tsType: 'unknown' },
      body: [log('Service bus queue function processed message:', 'message')],
    },
  },
  {
    name: 'Azure Service Bus Topic trigger',
    id: 'ServiceBusTopicTrigger',
    origin: 'func',
    v3: {
      defaultName: 'ServiceBusTopicTrigger',
      bindings: [{ name: 'mySbMsg', type: 'serviceBusTrigger', direction: 'in', topicName: 'mytopic', subscriptionName: 'mysubscription', connection: '' }],
      param: { name: 'mySbMsg', tsType: 'any' },
      body: [log('ServiceBus topic trigger function processed message', 'mySbMsg')],
    },
    v4: {
      defaultName: 'serviceBusTopicTrigger',
      method: 'serviceBusTopic',
      options: { connection: '', topicName: 'mytopic', subscriptionName: 'mysubscription' },
      param: { name: 'message', tsType: 'unknown' },
      body: [log('Service bus topic function processed message:', 'message')],
    },
  },
  {
    name: 'Azure Event Hub trigger',
    id: 'EventHubTrigger',
    origin: 'func',
    v3: {
      defaultName: 'EventHubTrigger',
      bindings: [
        { type: 'eventHubTrigger', name: 'eventHubMessages', direction: 'in', eventHubName: 'samples-workitems', connection: '', cardinality: 'many', consumerGroup: '$Default', dataType: 'string' },
      ],
      param: { name: 'eventHubMessages', tsType: 'any[]' },
      body: [
        'context.log(`JavaScript eventhub trigger function called for message array ${eventHubMessages}`);',
        '',
        'eventHubMessages.forEach((message, index) => {',
        '    context.log(`Processed message ${message}`);',
        '});',
      ],
    },
    v4: {
      defaultName: 'eventHubTrigger',
      method: 'eventHub',
      options: { connection: '', eventHubName: 'samples-workitems', cardinality: 'many' },
      param: { name: 'messages', tsType: 'unknown[]' },
      body: [
        'if (Array.isArray(messages)) {',
        '    context.log(`Event hub function processed ${messages.length} messages`);',
        '    for (const message of messages) {',
        "        context.log('Event hub message:', message);",
        '    }',
        '} else {',
        "    context.log('Event hub function processed message:', messages);",
        '}',
      ],
    },
  },
  {
    name: 'Azure Event Grid trigger',
    id: 'EventGridTrigger',
    origin: 'func',
    v3: {
      defaultName: 'EventGridTrigger',
      bindings: [{ type: 'eventGridTrigger', name: 'eventGridEvent', direction: 'in' }],
      param: { name: 'eventGridEvent', tsType: 'any' },
      body: ['context.log(typeof eventGridEvent);', 'context.log(eventGridEvent);'],
    },
    v4: {
      defaultName: 'eventGridTrigger',
      method: 'eventGrid',
      options: {},
      param: { name: 'event', tsType: 'EventGridEvent' },
      body: ["context.log('Event grid function processed event:', event);"],
      tsImports: ['EventGridEvent'],
    },
  },
  {
    name: 'Azure Cosmos DB trigger',
    id: 'CosmosDBTrigger',
    origin: 'func',
    v3: {
      defaultName: 'CosmosTrigger',
      bindings: [
        { type: 'cosmosDBTrigger', name: 'documents', direction: 'in', leaseContainerName: 'leases', connection: '', databaseName: '', containerName: '', createLeaseContainerIfNotExists: true },
      ],
      param: { name: 'documents', tsType: 'any[]' },
      body: ['if (!!documents && documents.length > 0) {', "    context.log('Document Id: ', documents[0].id);", '}'],
    },
    v4: {
      defaultName: 'cosmosDBTrigger',
      method: 'cosmosDB',
      options: { connectionStringSetting: '', databaseName: '', collectionName: '', createLeaseCollectionIfNotExists: true },
      param: { name: 'documents', tsType: 'unknown[]' },
      body: ['context.log(`Cosmos DB function processed ${documents.length} documents`);'],
    },
  },
  {
    name: 'RabbitMQ trigger',
    id: 'RabbitMQTrigger',
    origin: 'func',
    v3: {
      defaultName: 'RabbitMQTrigger',
      bindings: [{ name: 'myQueueItem', type: 'rabbitMQTrigger', direction: 'in', queueName: '', connectionStringSetting: '' }],
      param: { name: 'myQueueItem', tsType: 'string' },
      body: [log('JavaScript RabbitMQ trigger function processed work item', 'myQueueItem')],
      bodyTs: [log('RabbitMQ trigger function processed work item', 'myQueueItem')],
    },
    // tide's: func has no v4 RabbitMQ template; the host reads the same binding through app.generic.
    v4: {
      defaultName: 'rabbitMQTrigger',
      method: 'generic',
      options: {},
      trigger: { type: 'rabbitMQTrigger', queueName: 'queue', connectionStringSetting: 'RabbitMQConnection' },
      param: { name: 'message', tsType: 'unknown' },
      body: [log('RabbitMQ function processed message:', 'message')],
    },
  },
  {
    name: 'Kafka trigger',
    id: 'KafkaTrigger',
    origin: 'func',
    v3: {
      defaultName: 'KafkaTrigger',
      bindings: [
        {
          type: 'kafkaTrigger',
          name: 'event',
          direction: 'in',
          brokerList: 'BrokerList',
          topic: 'topic',
          username: '$ConnectionString',
          password: '%KafkaPassword%',
          protocol: 'saslSsl',
          authenticationMode: 'plain',
          consumerGroup: '$Default',
          dataType: 'binary',
        },
      ],
      param: { name: 'event', tsType: 'any' },
      body: [
        '// dataType binary: the value arrives as bytes',
        'const value = Buffer.isBuffer(event) ? event.toString() : event;',
        'context.log(`JavaScript Kafka trigger function called for message ${value}`);',
      ],
      bodyTs: [
        'const message = typeof event === "string" ? JSON.parse(event) : event;',
        'context.log(`Kafka trigger function called for message ${message.Value}`);',
      ],
    },
    v4: {
      defaultName: 'kafkaTrigger',
      method: 'generic',
      options: {},
      trigger: { type: 'kafkaTrigger', brokerList: 'BrokerList', topic: 'topic', consumerGroup: '$Default', dataType: 'string' },
      param: { name: 'event', tsType: 'unknown' },
      body: ["context.log('Kafka function processed event:', event, 'offset', context.triggerMetadata?.Offset);"],
    },
  },
  {
    name: 'Redis list trigger',
    id: 'RedisListTrigger',
    origin: 'tide',
    v4: {
      defaultName: 'redisListTrigger',
      method: 'generic',
      options: {},
      trigger: { type: 'redisListTrigger', connection: 'RedisConnection', key: 'listKey', listDirection: 'LEFT', pollingIntervalInMs: 1000, maxBatchSize: 16 },
      param: { name: 'entry', tsType: 'unknown' },
      body: [log('Redis list function processed entry:', 'entry')],
    },
  },
  {
    name: 'Redis stream trigger',
    id: 'RedisStreamTrigger',
    origin: 'tide',
    v4: {
      defaultName: 'redisStreamTrigger',
      method: 'generic',
      options: {},
      // The consumer group is the function's name; entries are acknowledged after the handler succeeds.
      trigger: { type: 'redisStreamTrigger', connection: 'RedisConnection', key: 'streamKey', pollingIntervalInMs: 1000, maxBatchSize: 16 },
      param: { name: 'entry', tsType: 'unknown' },
      body: [log('Redis stream function processed entry:', 'entry')],
    },
  },
];

/** How func compares template names: case and spaces ignored ("HttpTrigger" = "HTTP trigger"). */
export function templateKey(name: string): string {
  return name.replace(/\s+/g, '').toLowerCase();
}

/** The templates available for a programming model. */
export function templatesFor(model: ProgrammingModel): Template[] {
  return TEMPLATES.filter((t) => t[model] !== undefined);
}

/** The template named `name` (display name or v3 id) for `model`, or a message listing the nearest and the available ones. */
export function findTemplate(name: string, model: ProgrammingModel): { template: Template } | { error: string } {
  const key = templateKey(name);
  // "Kafka" for "Kafka trigger": the word every template name ends with may be left out.
  const keys = [key, `${key}trigger`];
  const named = TEMPLATES.find((t) => keys.includes(templateKey(t.name)) || keys.includes(templateKey(t.id)));
  const available = templatesFor(model);
  if (named && named[model] !== undefined) return { template: named };
  const list = available.map((t) => `  ${t.name}`).join('\n');
  if (named) return { error: `template "${named.name}" has no ${model} version; ${model} templates:\n${list}` };
  const guess = nearest(key, available.flatMap((t) => [templateKey(t.name), templateKey(t.id)]));
  const close = available.filter((t) => templateKey(t.name) === guess || templateKey(t.id) === guess || (key.length >= 3 && templateKey(t.name).includes(key)));
  const hint = close.length > 0 ? `; did you mean ${close.map((t) => `"${t.name}"`).join(' or ')}?` : '';
  return { error: `unknown template "${name}"${hint} Available ${model} templates:\n${list}` };
}
