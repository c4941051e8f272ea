// A loaded function app → every object `tide kubernetes deploy` writes, in func's order (functions.md
// §1.3) with tide's additions: the scaler Secret and TriggerAuthentication before the ScaledObject that
// references them, and the HTTP ScaledObject last. Pure: keys come from the injected generator and the
// existing keys the caller read from the cluster.
import { hasErrors, problem, warning, type Problem } from '../api/problems.js';
import type { FunctionDefinition } from '../app/function-model.js';
import type { FunctionApp } from '../app/load-app.js';
import { scaledObjectForApp } from '../app/scaled-object-mapping.js';
import { deployment } from './deployment.js';
import { keysSecret, type KeyGenerator } from './keys-secret.js';
import { names, type DeployOptions, type Manifest } from './manifest.js';
import { keysRbac } from './rbac.js';
import { httpScaledObject, functionsScaledObject } from './scaled-objects.js';
import { httpService } from './service.js';
import { settingsObject } from './settings-objects.js';
import { scalerAuthentication } from './trigger-authentication.js';

export interface AppManifestsInput {
  readonly app: Pick<FunctionApp, 'functions' | 'localSettings' | 'hostJson'>;
  readonly options: DeployOptions;
  readonly generateKey: KeyGenerator;
  /** Decoded values of the keys Secret already in the cluster, kept for names that remain. */
  readonly existingKeys?: Readonly<Record<string, string>>;
}

export interface AppManifests {
  readonly objects: Manifest[];
  readonly httpFunctions: string[];
  readonly otherFunctions: string[];
  /** Remarks for stderr: unscaled functions, timers kept at one replica, unused scaler values. */
  readonly notes: string[];
  /** Errors stop the deploy (nothing is applied); warnings are printed. */
  readonly problems: Problem[];
}

/** HTTP function = a trigger type containing httpTrigger, case-insensitive (func's rule). */
export function isHttpFunction(fn: FunctionDefinition): boolean {
  return fn.trigger.type.toLowerCase().includes('httptrigger');
}

/** Generates the objects for `app`; on errors the object list is empty. */
export function appManifests(input: AppManifestsInput): AppManifests {
  const { app, options } = input;
  const http = app.functions.filter(isHttpFunction).map((f) => f.name);
  const others = app.functions.filter((f) => !isHttpFunction(f));
  const notes: string[] = [];
  const problems: Problem[] = [];
  if (app.functions.length === 0) {
    problems.push(problem('', 'the app has no functions: nothing to deploy (add a folder with a function.json, or register v4 functions and point package.json "main" at them)'));
    return { objects: [], httpFunctions: http, otherFunctions: [], notes, problems };
  }
  const values = app.localSettings.values;
  // The mapping checks that connection settings exist; a setting the scaler alone has counts too.
  const mappingSettings = { ...(options.scalerCredentials?.values ?? {}), ...values };
  const scaled = others.length === 0 ? undefined : scaledObjectForApp({ functions: others, settings: mappingSettings }, {
    name: options.name,
    namespace: options.namespace,
    timers: 'cron-window',
    functionTimeoutMs: app.hostJson.functionTimeoutMs ?? null,
    ...(options.pollingInterval !== undefined ? { pollingInterval: options.pollingInterval } : {}),
    ...(options.cooldownPeriod !== undefined ? { cooldownPeriod: options.cooldownPeriod } : {}),
    ...(options.minReplicas !== undefined ? { minReplicaCount: options.minReplicas } : {}),
    ...(options.maxReplicas !== undefined ? { maxReplicaCount: options.maxReplicas } : {}),
  });
  if (scaled !== undefined) {
    notes.push(...scaled.notes);
    for (const p of scaled.problems) {
      // An app whose only non-HTTP triggers have no scaler still deploys; its Deployment keeps one replica.
      if (p.path === '' && p.message.startsWith('no scalable trigger')) notes.push(`${p.message}; the Deployment "${options.name}" keeps one replica and no ScaledObject is written`);
      else problems.push(p.severity === 'error' ? problem(p.path, p.message) : warning(p.path, p.message));
    }
  }
  if (hasErrors(problems)) return { objects: [], httpFunctions: http, otherFunctions: others.map((f) => f.name), notes, problems };

  const auth = scalerAuthentication(options, scaled?.scaledObject?.spec.triggers ?? [], options.scalerCredentials);
  notes.push(...auth.notes);
  const objects: Manifest[] = [];
  const settings = settingsObject(options, { ...values, ...(scaled?.derivedSettings ?? {}) });
  if (settings !== undefined) objects.push(settings);
  if (http.length > 0) {
    objects.push(keysSecret(options, http, input.generateKey, input.existingKeys));
    if (!options.mountKeys) objects.push(...keysRbac(options));
    objects.push(httpService(options));
    objects.push(deployment(options, { name: names.httpDeployment(options.name), functions: http, http: true, replicas: 1, appHasHttp: true }));
  }
  if (others.length > 0) {
    const keepOne = scaled?.scaledObject === undefined ? 1 : 0;
    const replicas = Math.max(options.minReplicas ?? 0, scaled?.minReplicaCount ?? 0, keepOne);
    objects.push(deployment(options, { name: options.name, functions: others.map((f) => f.name), http: false, replicas, appHasHttp: http.length > 0 }));
    objects.push(...auth.objects);
    if (scaled?.scaledObject !== undefined) objects.push(functionsScaledObject(options, scaled.scaledObject, auth.triggers));
  }
  const httpScaling = http.length > 0 ? httpScaledObject(options, http) : undefined;
  if (httpScaling !== undefined) objects.push(httpScaling);
  else if (options.httpScaling !== undefined) notes.push('--http-scaling: the app has no HTTP functions; no HTTP ScaledObject written');
  return { objects, httpFunctions: http, otherFunctions: others.map((f) => f.name), notes, problems };
}
