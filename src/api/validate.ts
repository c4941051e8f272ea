// Validation of keda.sh objects as the API server plus KEDA's admission webhook would judge them
// offline: schema problems (CRD types, enums, minimums, required fields), pruned-field warnings,
// then the webhook rules. The webhook server and `tide validate` both use this one function.
import { isKedaKind, KEDA_KINDS, KIND_SCHEMAS, type KedaKind, type KedaObjectByKind } from './kinds.js';
import { nearest } from './nearest.js';
import { problem, warning, type Problem } from './problems.js';
import { scaledJobTriggerProblems, commonTriggerProblems } from './trigger-rules.js';
import { scaledObjectRuleProblems } from './scaled-object-rules.js';
import { issuesToProblems } from './schema-issues.js';
import { triggerAuthenticationRuleProblems } from './trigger-authentication-rules.js';
import { collectUnknownFields, dropNulls } from './unknown-fields.js';
import type { ScaledJob } from './scaled-job.js';

export interface ParseResult<T> {
  /** The typed object, or undefined when the schema rejected it. */
  readonly value: T | undefined;
  /** Schema errors and unknown-field warnings (no webhook rules). */
  readonly problems: Problem[];
}

/** Checks `raw` against the schema of `kind`: nulls dropped and unknown fields pruned as Kubernetes does. */
export function parseKedaObject<K extends KedaKind>(kind: K, raw: unknown): ParseResult<KedaObjectByKind[K]> {
  const cleaned = dropNulls(raw);
  const schema = KIND_SCHEMAS[kind];
  const problems: Problem[] = [];
  collectUnknownFields(schema, cleaned, '', problems);
  const result = schema.safeParse(cleaned, { reportInput: true });
  if (!result.success) return { value: undefined, problems: [...issuesToProblems(result.error.issues), ...problems] };
  return { value: result.data, problems };
}

function scaledJobRuleProblems(sj: ScaledJob): Problem[] {
  return [...commonTriggerProblems(sj.spec.triggers, 'ScaledJob'), ...scaledJobTriggerProblems(sj.spec.triggers)];
}

/** The webhook rules of a schema-valid object of any keda.sh kind. */
export function ruleProblems(object: KedaObjectByKind[KedaKind]): Problem[] {
  switch (object.kind) {
    case 'ScaledObject':
      return scaledObjectRuleProblems(object);
    case 'ScaledJob':
      return scaledJobRuleProblems(object);
    case 'TriggerAuthentication':
      return triggerAuthenticationRuleProblems(object.spec, object.kind);
    case 'ClusterTriggerAuthentication': {
      const out = triggerAuthenticationRuleProblems(object.spec, object.kind);
      if (object.metadata.namespace !== undefined) out.push(warning('metadata.namespace', 'is ignored: ClusterTriggerAuthentication is cluster-scoped'));
      return out;
    }
  }
}

const kindOf = (raw: unknown): unknown => (typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).kind : undefined);

/**
 * Every problem of a keda.sh object (a parsed YAML/JSON document): schema errors and warnings
 * first, then the webhook rules. Rules run only once the schema accepts the object, because they
 * reason about typed values; fix the schema errors and the rule errors show up next.
 */
export function validateObject(raw: unknown): Problem[] {
  const kind = kindOf(raw);
  if (!isKedaKind(kind)) {
    const suggestion = typeof kind === 'string' ? nearest(kind, KEDA_KINDS) : undefined;
    const hint = suggestion !== undefined ? ` (did you mean ${suggestion}?)` : '';
    return [problem('kind', `must be one of ${KEDA_KINDS.join(', ')}, got ${JSON.stringify(kind)}${hint}`)];
  }
  const parsed = parseKedaObject(kind, raw);
  if (parsed.value === undefined) return parsed.problems;
  return [...parsed.problems, ...ruleProblems(parsed.value)];
}
