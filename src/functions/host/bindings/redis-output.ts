// redis output binding (Redis extension 1.x): `command` (SET, DEL, XDEL, LPUSH, …) runs with the
// function's value as its arguments. A string is split on whitespace (the extension's Node samples
// return "key value"); a JSON array (or collection) gives the arguments as they are, each stringified,
// so values with spaces can be passed. An empty value runs nothing.

import { Redis } from 'ioredis';
import type { RpcTypedData } from '../../../app/rpc.js';
import { BindingConfigError, type OutputBinding, type OutputBindingDefinition } from '../contract.js';
import { stringOption } from '../settings.js';
import { redisBindingConnection } from '../triggers/redis-connection.js';

/** The command arguments an output value stands for. */
export function redisArguments(value: RpcTypedData, where: string): string[] {
  if (typeof value.string === 'string') return value.string.split(/\s+/).filter((a) => a !== '');
  if (value.collectionString?.string) return [...value.collectionString.string];
  if (value.collectionDouble?.double) return value.collectionDouble.double.map(String);
  if (value.collectionSint64?.sint64) return value.collectionSint64.sint64.map(String);
  if (typeof value.int === 'number' || typeof value.double === 'number') return [String(value.int ?? value.double)];
  if (value.bytes) return Buffer.from(value.bytes).toString('utf8').split(/\s+/).filter((a) => a !== '');
  if (typeof value.json === 'string') {
    const parsed: unknown = JSON.parse(value.json);
    if (Array.isArray(parsed)) return parsed.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)));
    throw new BindingConfigError(`${where}: the value must be a string of arguments or an array of them, got a JSON object`);
  }
  return [];
}

/** The redis output binding type. */
export const redisOutput: OutputBindingDefinition = {
  type: 'redis',
  create(binding, ctx): OutputBinding {
    const where = `binding ${binding.name} (redis)`;
    const command = stringOption(binding.options, 'command', ctx.settings, where);
    if (command === undefined || !/^[A-Za-z][A-Za-z.]*$/.test(command)) throw new BindingConfigError(`${where}: "command" must name a Redis command (SET, DEL, …)`);
    const options = redisBindingConnection(binding, ctx, where);
    let client: Redis | undefined;
    return {
      async write(value) {
        const args = redisArguments(value, where);
        if (args.length === 0) return;
        if (!client) {
          client = new Redis({ ...options, maxRetriesPerRequest: 3 });
          client.on('error', () => undefined); // the failing write reports it
        }
        await client.call(command, ...args);
      },
      async close() {
        const c = client;
        client = undefined;
        await c?.quit().catch(() => undefined);
      },
    };
  },
};
