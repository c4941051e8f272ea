// azure-queue: scale on the approximate message count of an Azure Storage queue.

import { defineScaler } from './define.js';
import { param } from './param.js';
import { milliFromInt } from './metric-name.js';
import { checkCloud, checkStorageCredential, storageEndpointSuffix, storageParams } from './azure-storage.js';

/** The azure-queue scaler declaration. */
export const azureQueue = defineScaler({
  type: 'azure-queue',
  params: {
    queueName: param.string().required(),
    queueLength: param.int().default(5),
    activationQueueLength: param.int().default(0),
    connection: param.string().from('authParams', 'metadata', 'fromEnv').secret(),
    queueLengthStrategy: param.enum(['all', 'visibleonly']).default('all'),
    ...storageParams,
  },
  rules: (rule) => [
    rule(['connection', 'accountName'], (p, ctx) => checkStorageCredential('azure-queue', p, ctx.podIdentity)),
    rule(['cloud', 'endpointSuffix'], checkCloud),
  ],
  derive: (p) => ({ ...p, endpointSuffix: storageEndpointSuffix('queue', p) }),
  metricName: (p) => `azure-queue-${p.queueName}`,
  target: (p) => ({ value: milliFromInt(p.queueLength), activation: milliFromInt(p.activationQueueLength) }),
});
