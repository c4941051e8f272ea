// Response bodies of the admin API (functions.md §9): host status and function metadata in the
// shapes the Functions host returns, so tools that read them (portal-like UIs, scripts) keep working.

import { hostname } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import type { FunctionDefinition } from '../../../app/function-model.js';
import type { HostControl } from './host-control.js';

/** The HTTP route of an HTTP-triggered function (`route` option, else the function name), without prefix. */
export function functionRoute(fn: FunctionDefinition): string {
  const route = fn.trigger.options.route;
  return typeof route === 'string' && route.trim() !== '' ? route.trim().replace(/^\/+/, '') : fn.name;
}

/** True for an `httpTrigger` function. */
export function isHttpFunction(fn: FunctionDefinition): boolean {
  return fn.trigger.type.toLowerCase() === 'httptrigger';
}

/** host.json `extensions.http.routePrefix` (`api` when absent; may be empty). */
export function routePrefixOf(hostJson: Readonly<Record<string, unknown>> | undefined): string {
  const extensions = hostJson?.extensions;
  const http = extensions !== null && typeof extensions === 'object' ? (extensions as Record<string, unknown>).http : undefined;
  const prefix = http !== null && typeof http === 'object' ? (http as Record<string, unknown>).routePrefix : undefined;
  return typeof prefix === 'string' ? prefix.replace(/^\/+|\/+$/g, '') : 'api';
}

/** The function's config as function.json would hold it. */
function functionConfig(fn: FunctionDefinition): Record<string, unknown> {
  const bindings = fn.bindings.map((b) => ({ ...b.options, name: b.name, type: b.type, direction: b.direction, ...(b.dataType !== undefined ? { dataType: b.dataType } : {}) }));
  const config: Record<string, unknown> = { bindings, disabled: fn.disabled };
  if (fn.source.model === 'v3') {
    config.scriptFile = fn.source.scriptFile;
    if (fn.source.entryPoint !== undefined) config.entryPoint = fn.source.entryPoint;
  }
  return config;
}

/** `GET /admin/functions/<name>`: `base` is `http://host:port` of the request. */
export function functionMetadata(fn: FunctionDefinition, base: string, routePrefix: string): Record<string, unknown> {
  const vfs = `${base}/admin/vfs/site/wwwroot`;
  let scriptPath: string | undefined;
  if (fn.source.model === 'v3') {
    const appRoot = dirname(fn.source.directory);
    scriptPath = relative(appRoot, resolve(fn.source.directory, fn.source.scriptFile)).split('\\').join('/');
  } else if (fn.source.scriptFile !== undefined) {
    scriptPath = fn.source.scriptFile.replace(/^\.?\//, '');
  }
  const invoke = isHttpFunction(fn) ? `${base}/${[routePrefix, functionRoute(fn)].filter((s) => s !== '').join('/')}`.toLowerCase() : null;
  return {
    name: fn.name,
    script_root_path_href: `${vfs}/${fn.name}/`,
    script_href: scriptPath !== undefined ? `${vfs}/${scriptPath}` : null,
    config_href: fn.source.model === 'v3' ? `${vfs}/${fn.name}/function.json` : null,
    test_data_href: null,
    href: `${base}/admin/functions/${fn.name}`,
    invoke_url_template: invoke,
    language: 'node',
    config: functionConfig(fn),
    files: null,
    test_data: null,
    isDisabled: fn.disabled,
    isDirect: false,
    isProxy: false,
  };
}

/** What `/admin/host/status` shows beyond the host's own state. */
export interface StatusInfo {
  readonly hostId: string;
  readonly instanceId: string;
  readonly version: string;
  readonly startedAt: number;
  readonly hostJson?: Readonly<Record<string, unknown>> | undefined;
}

/** `GET /admin/host/status`. */
export function hostStatus(host: HostControl, info: StatusInfo, now: number): Record<string, unknown> {
  const bundle = info.hostJson?.extensionBundle;
  const b = bundle !== null && typeof bundle === 'object' ? (bundle as Record<string, unknown>) : undefined;
  const errors = host.errors();
  return {
    id: info.hostId,
    state: host.state(),
    version: info.version,
    versionDetails: `${info.version} (tide)`,
    platformVersion: '',
    instanceId: info.instanceId,
    computerName: hostname(),
    processUptime: Math.max(0, now - info.startedAt),
    functionAppContentEditingState: 'NotAllowed',
    ...(b ? { extensionBundle: { id: b.id, version: b.version } } : {}),
    ...(errors.length > 0 ? { errors: [...errors] } : {}),
  };
}
