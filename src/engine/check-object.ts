// Everything tide can check about a keda.sh object without a cluster, in one place: the API schema and
// KEDA's offline webhook rules (src/api), each trigger's metadata against its scaler's declaration
// (src/scalers), and the scalingModifiers formula (src/scaling). `tide validate`, `tide simulate` and
// the admission webhook share it, so they can never disagree.

import { joinPath, problem, warning, type Problem } from '../api/problems.js';
import { parseKedaObject, validateObject } from '../api/validate.js';
import type { KedaKind } from '../api/kinds.js';
import type { ScaleTrigger } from '../api/scale-trigger.js';
import { isUsingModifiers, type ScaledObject } from '../api/scaled-object.js';
import { nearest } from '../api/nearest.js';
import { scalerFor } from '../scalers/index.js';
import { isKedaScalerType, kedaScalerTypes } from '../scalers/keda-types.js';
import { validateFormula } from '../scaling/formula.js';

const RESOURCE_TRIGGERS = new Set(['cpu', 'memory']);

/** All problems of one keda.sh object (`kind` as the document says, `raw` the parsed document). */
export function checkObject(kind: KedaKind, raw: unknown): Problem[] {
  const problems = validateObject(raw);
  if (kind !== 'ScaledObject' && kind !== 'ScaledJob') return problems;
  const parsed = parseKedaObject(kind, raw).value;
  if (parsed === undefined) return problems;
  const modifiers = parsed.kind === 'ScaledObject' && isUsingModifiers(parsed.spec);
  parsed.spec.triggers.forEach((trigger, index) => {
    problems.push(...triggerProblems(trigger, index, modifiers));
  });
  if (parsed.kind === 'ScaledObject') problems.push(...formulaProblems(parsed));
  return dedupe(problems);
}

/** Parses one trigger's metadata with its scaler's declaration, offline. */
function triggerProblems(trigger: ScaleTrigger, index: number, metricSource: boolean): Problem[] {
  const at = joinPath('spec.triggers', index);
  const scaler = scalerFor(trigger.type);
  if (!scaler) return [unknownTypeWarning(trigger.type, joinPath(at, 'type'))];
  const result = scaler.parse({
    metadata: trigger.metadata,
    triggerIndex: index,
    ...(trigger.name !== undefined && trigger.name !== '' ? { triggerName: trigger.name } : {}),
    ...(trigger.metricType !== undefined ? { metricType: trigger.metricType } : {}),
    metricSource,
    // Without a cluster, values a TriggerAuthentication or the container's env would supply count as present.
    assume: { authParams: trigger.authenticationRef !== undefined, env: true },
  });
  const found = result.ok ? result.warnings : result.problems;
  return found.map((p) => ({ ...p, path: p.path === '' ? at : joinPath(at, p.path) }));
}

function unknownTypeWarning(type: string, path: string): Problem {
  if (isKedaScalerType(type)) return warning(path, `tide has no "${type}" scaler yet: its metadata is not checked and it cannot scale`);
  const suggestion = nearest(type, kedaScalerTypes());
  const hint = suggestion ? `; did you mean "${suggestion}"?` : '';
  return warning(path, `unknown trigger type "${type}"${hint}`);
}

/** KEDA's webhook compiles the formula with every (non cpu/memory) trigger name bound to −1 and runs it once. */
function formulaProblems(so: ScaledObject): Problem[] {
  const formula = so.spec.advanced?.scalingModifiers?.formula;
  if (formula === undefined || formula === '') return [];
  const names = so.spec.triggers.filter((t) => !RESOURCE_TRIGGERS.has(t.type)).flatMap((t) => (t.name ? [t.name] : []));
  const result = validateFormula(formula, names);
  return result.ok ? [] : [problem('spec.advanced.scalingModifiers.formula', result.error)];
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.severity}|${p.path}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
