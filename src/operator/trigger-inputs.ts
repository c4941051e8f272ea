// Resolves every trigger's authentication (TriggerAuthentication / ClusterTriggerAuthentication,
// `<name>FromEnv` from the scale target's pod template) before its scaler is built. Problems are
// texts naming the trigger, the field and the source — never a value.
import type { TriggerSettings } from '../api/defaults.js';
import { parseKedaObject } from '../api/validate.js';
import { podContainerEnv, type PodSpecLike } from '../auth/container-env.js';
import { resolveTriggerAuth, type GetTriggerAuthentication } from '../auth/resolve.js';
import type { AuthSources } from '../auth/sources.js';
import type { TriggerInputs } from '../engine/loop-scalers.js';
import type { KubeApi } from '../kube/api.js';

export interface TriggerInputsResult {
  readonly inputs: Map<number, TriggerInputs>;
  /** Error problems, one line each. */
  readonly errors: string[];
}

export interface ResolveContext {
  readonly namespace: string;
  readonly triggers: readonly TriggerSettings[];
  /** The scale target's pod template spec, when it has one. */
  readonly podSpec: PodSpecLike | undefined;
  readonly envSourceContainerName: string | undefined;
  readonly sources: AuthSources;
  readonly getTriggerAuthentication: GetTriggerAuthentication;
  readonly clusterObjectNamespace: string;
}

/** Every trigger's authParams and env, resolved. */
export async function resolveTriggerInputs(ctx: ResolveContext): Promise<TriggerInputsResult> {
  const containerEnv = ctx.podSpec !== undefined ? podContainerEnv(ctx.podSpec, ctx.namespace, ctx.sources) : {};
  const inputs = new Map<number, TriggerInputs>();
  const errors: string[] = [];
  for (const trigger of ctx.triggers) {
    const resolved = await resolveTriggerAuth({
      trigger: { metadata: trigger.metadata, authenticationRef: trigger.authenticationRef },
      scaledObjectNamespace: ctx.namespace,
      getTriggerAuthentication: ctx.getTriggerAuthentication,
      containerEnv,
      envSourceContainerName: ctx.envSourceContainerName,
      sources: ctx.sources,
      clusterObjectNamespace: ctx.clusterObjectNamespace,
    });
    for (const p of resolved.problems) {
      if (p.severity === 'error') errors.push(`spec.triggers[${trigger.index}] (${trigger.type}): ${p.path === '' ? '' : `${p.path}: `}${p.message}`);
    }
    inputs.set(trigger.index, { authParams: resolved.authParams, env: resolved.env, ...(resolved.podIdentity !== undefined ? { podIdentity: resolved.podIdentity } : {}) });
  }
  return { inputs, errors };
}

/** Reads (Cluster)TriggerAuthentications through the API, schema-checked. */
export function apiTriggerAuthentications(api: KubeApi): GetTriggerAuthentication {
  return async (kind, name, namespace) => {
    const raw = await api.get('keda.sh/v1alpha1', kind, kind === 'TriggerAuthentication' ? namespace : undefined, name);
    if (raw === undefined) return undefined;
    const parsed = parseKedaObject(kind, { ...raw, apiVersion: 'keda.sh/v1alpha1', kind });
    // Paths only: a schema message may quote a value, and a Vault credential token is one.
    if (parsed.value === undefined) throw new Error(`${kind} "${name}" is not valid at ${parsed.problems.map((p) => p.path).join(', ')} (run tide validate on it)`);
    return parsed.value;
  };
}

/** The pod template spec of a workload-like object (spec.template.spec), if it has one. */
export function podTemplateSpec(target: Record<string, unknown> | undefined): PodSpecLike | undefined {
  const spec = target?.['spec'] as { template?: { spec?: { containers?: unknown } } } | undefined;
  const podSpec = spec?.template?.spec;
  return podSpec !== undefined && Array.isArray(podSpec.containers) ? (podSpec as PodSpecLike) : undefined;
}
