// What `tide up` will run, worked out before anything starts: the app, the ScaledObject (given, or
// mapped from the app's triggers), each trigger's auth inputs, the settings every replica gets, and
// which functions the scaled replicas run versus the one unscaled HTTP replica. Every user mistake
// found here is a LocalUpError with all problems at once, so nothing half-starts.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { scaledObjectSettings, type TriggerSettings } from '../api/defaults.js';
import type { Problem } from '../api/problems.js';
import type { ScaledObject } from '../api/scaled-object.js';
import type { ClusterTriggerAuthentication, TriggerAuthentication } from '../api/trigger-authentication.js';
import { validateObject } from '../api/validate.js';
import { loadFunctionApp, type FunctionApp } from '../app/load-app.js';
import { scaledObjectForApp } from '../app/scaled-object-mapping.js';
import { localAuthSources, resolveTriggerAuth } from '../auth/index.js';
import type { TriggerInputs } from '../engine/loop-scalers.js';
import { developmentStorageSettings } from './development-storage.js';

/** A reason `tide up` cannot run (the CLI prints it and exits 1). */
export class LocalUpError extends Error {
  override readonly name = 'LocalUpError';
}

export interface UpPlanInput {
  readonly appDir: string;
  /** This process's environment: wins over local.settings.json, as in `func start`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** From --scaledobject (already checked like `tide validate`); otherwise mapped from the app. */
  readonly scaledObject?: ScaledObject;
  /** TriggerAuthentication / ClusterTriggerAuthentication objects given next to the ScaledObject. */
  readonly authentications?: readonly (TriggerAuthentication | ClusterTriggerAuthentication)[];
}

export interface UpPlan {
  readonly app: FunctionApp;
  readonly scaledObject: ScaledObject;
  /** Where the ScaledObject came from: the --scaledobject file or the app's triggers. */
  readonly source: 'file' | 'app';
  /** Settings each replica gets as environment (local.settings.json, environment winning, plus derived ones). */
  readonly settings: Readonly<Record<string, string>>;
  /** Functions the scaled replicas run; all when there is no HTTP function. */
  readonly scaledFunctions: readonly string[];
  /** HTTP functions, run by one unscaled replica on --port. */
  readonly httpFunctions: readonly string[];
  /** Auth parameters and env of each trigger, by trigger index. */
  readonly triggerInputs: ReadonlyMap<number, TriggerInputs>;
  /** Settings that say UseDevelopmentStorage=true (Azurite needed). */
  readonly developmentStorage: readonly string[];
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

const RESOURCE_TRIGGERS = new Set(['cpu', 'memory']);

function listProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `  ${p.path === '' ? '' : `${p.path}: `}${p.message}`).join('\n');
}

/** A DNS-1123 name from the app folder's name, for the mapped ScaledObject (`hello-queue`). */
export function appObjectName(appDir: string): string {
  const name = basename(appDir)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return name === '' ? 'function-app' : name;
}

function isHttp(type: string): boolean {
  return type.toLowerCase() === 'httptrigger';
}

/** Loads the app and works out the run; throws LocalUpError listing every problem. */
export async function planLocalUp(input: UpPlanInput): Promise<UpPlan> {
  if (!existsSync(join(input.appDir, 'host.json'))) throw new LocalUpError(`no function app in ${input.appDir}: it has no host.json (run tide init, or name the app folder)`);
  const app = await loadFunctionApp(input.appDir, input.env, { localSettings: true });
  const appErrors = app.problems.filter((p) => p.severity === 'error');
  if (appErrors.length > 0) throw new LocalUpError(`the function app in ${app.root} cannot run:\n${listProblems(appErrors)}`);
  const enabled = app.functions.filter((f) => !f.disabled);
  if (enabled.length === 0) throw new LocalUpError(`no function to run in ${app.root}: ${app.problems.map((p) => p.message).join('; ') || 'every function is disabled'}`);
  const warnings = app.problems.filter((p) => p.severity === 'warning').map((p) => `${p.path === '' ? '' : `${p.path}: `}${p.message}`);

  const mapping = scaledObjectForApp(app, { name: appObjectName(app.root) });
  let scaledObject: ScaledObject;
  let source: UpPlan['source'];
  if (input.scaledObject !== undefined) {
    scaledObject = input.scaledObject;
    source = 'file';
  } else {
    if (mapping.problems.length > 0 || mapping.scaledObject === undefined) {
      const why = mapping.problems.length > 0 ? listProblems(mapping.problems) : `  ${mapping.notes.join('\n  ')}`;
      throw new LocalUpError(`cannot derive a ScaledObject from the app in ${app.root} (give one with --scaledobject):\n${why}`);
    }
    scaledObject = mapping.scaledObject;
    source = 'app';
    const problems = validateObject(scaledObject).filter((p) => p.severity === 'error');
    if (problems.length > 0) throw new LocalUpError(`the ScaledObject derived from the app is not valid:\n${listProblems(problems)}`);
  }
  const settings = scaledObjectSettings(scaledObject);
  const resource = settings.triggers.filter((t) => RESOURCE_TRIGGERS.has(t.type));
  if (resource.length > 0) {
    throw new LocalUpError(
      `${resource.map((t) => `spec.triggers[${t.index}] (${t.type})`).join(', ')}: cpu and memory triggers are not available in local mode (they need the Kubernetes metrics server); remove them or run on a cluster`,
    );
  }

  const replicaSettings: Record<string, string> = { ...mapping.derivedSettings };
  for (const name of [...Object.keys(app.localSettings.values), ...Object.keys(app.localSettings.connectionStrings).map((n) => `ConnectionStrings:${n}`)]) {
    const value = app.settings[name];
    if (value !== undefined) replicaSettings[name] = value;
  }
  const containerEnv: Record<string, string> = { ...mapping.derivedSettings };
  for (const [name, value] of Object.entries(app.settings)) containerEnv[name] = value;
  const triggerInputs = await resolveInputs(settings.triggers, settings.namespace, containerEnv, input.authentications ?? [], app.root);

  const http = enabled.filter((f) => isHttp(f.trigger.type)).map((f) => f.name);
  const others = enabled.filter((f) => !isHttp(f.trigger.type)).map((f) => f.name);
  return {
    app,
    scaledObject,
    source,
    settings: replicaSettings,
    scaledFunctions: others,
    httpFunctions: http,
    triggerInputs,
    developmentStorage: developmentStorageSettings(containerEnv),
    notes: source === 'app' ? mapping.notes : [],
    warnings,
  };
}

/** Resolves each trigger's authenticationRef and *FromEnv against the app settings, like KEDA against the pod. */
async function resolveInputs(
  triggers: readonly TriggerSettings[],
  namespace: string,
  containerEnv: Readonly<Record<string, string>>,
  authentications: readonly (TriggerAuthentication | ClusterTriggerAuthentication)[],
  root: string,
): Promise<Map<number, TriggerInputs>> {
  const sources = localAuthSources({ env: containerEnv });
  const inputs = new Map<number, TriggerInputs>();
  const problems: string[] = [];
  for (const trigger of triggers) {
    const resolved = await resolveTriggerAuth({
      trigger,
      scaledObjectNamespace: namespace,
      containerEnv,
      sources,
      filePathRoot: root,
      getTriggerAuthentication: (kind, name, ns) =>
        Promise.resolve(
          authentications.find((a) => a.kind === kind && a.metadata.name === name && (kind === 'ClusterTriggerAuthentication' || (a.metadata.namespace ?? 'default') === (ns ?? 'default'))),
        ),
    });
    for (const p of resolved.problems.filter((p) => p.severity === 'error')) problems.push(`spec.triggers[${trigger.index}] (${trigger.type}): ${p.path === '' ? '' : `${p.path}: `}${p.message}`);
    inputs.set(trigger.index, {
      authParams: resolved.authParams,
      env: resolved.env,
      ...(resolved.podIdentity !== undefined ? { podIdentity: resolved.podIdentity } : {}),
    });
  }
  if (problems.length > 0) throw new LocalUpError(`cannot resolve the triggers' authentication:\n  ${problems.join('\n  ')}`);
  return inputs;
}
