// Process-level life of a host: start it, print what runs, and on SIGTERM/SIGINT drain and exit 0.
// `tide host` (the container entry, also bundled alone into the runtime image) and `tide start` use it.

import type { FunctionDefinition } from '../../app/function-model.js';
import type { HostLogger } from './contract.js';
import { FunctionHost, type HostOptions } from './host.js';

/** `Name: [GET,POST] http://localhost:7071/api/name` or `Name: queueTrigger`, as `func start` lists functions. */
export function describeFunction(fn: FunctionDefinition, baseUrl: string, routePrefix: string): string {
  if (fn.trigger.type.toLowerCase() !== 'httptrigger') return `${fn.name}: ${fn.trigger.type}`;
  const methods = Array.isArray(fn.trigger.options.methods) ? (fn.trigger.options.methods as unknown[]).map((m) => String(m).toUpperCase()) : [];
  const route = typeof fn.trigger.options.route === 'string' ? fn.trigger.options.route : fn.name;
  const path = [routePrefix, route].filter((s) => s !== '').join('/');
  return `${fn.name}: ${methods.length > 0 ? `[${methods.join(',')}] ` : ''}${baseUrl}/${path}`;
}

/** Port and address of the container host: PORT, else ASPNETCORE_URLS (`http://+:8080`), else 80. */
export function containerListen(env: Readonly<Record<string, string | undefined>>): { port: number; address?: string } {
  const port = Number(env.PORT);
  if (env.PORT !== undefined && Number.isInteger(port) && port >= 0) return { port };
  const url = env.ASPNETCORE_URLS?.split(';')[0];
  const match = url ? /:(\d+)\/?$/.exec(url) : null;
  return { port: match?.[1] !== undefined ? Number(match[1]) : 80 };
}

/** Starts the host and keeps it running until SIGTERM/SIGINT; resolves with the exit code after draining. */
export async function runHostUntilSignal(options: HostOptions, print: (line: string) => void, log: HostLogger): Promise<number> {
  const host = await FunctionHost.start(options);
  const http = host.functionApp.hostJson.http;
  print('Functions:');
  for (const fn of host.functions()) print(`  ${describeFunction(fn, host.url, http.routePrefix)}${fn.disabled ? ' (disabled)' : ''}`);
  for (const error of host.errors()) print(`  error: ${error}`);
  print(`Host started on ${host.url} (${host.functionApp.model} app, ${host.functions().length} functions). Press Ctrl+C to stop.`);
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      log.info(`${signal}: draining`);
      void host.stop().then(() => {
        resolve(0);
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
