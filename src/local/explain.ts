// Scale-loop decisions in plain words, for `tide explain` and the live view:
// "scaled 1 → 4 at 10:02:15: azure-queue js-queue-items had 240 messages, target 5 per replica; …".
import type { ScaledObjectSettings } from '../api/defaults.js';
import type { LoopDecision, TriggerRecord } from '../engine/loop-decisions.js';

/** What the words need to know about the ScaledObject besides the decision itself. */
export interface ExplainContext {
  readonly mode: 'keda' | 'direct';
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  readonly cooldownPeriod: number;
  /** The object sets its own HPA scaleUp/scaleDown behavior (the default limits do not apply). */
  readonly customBehavior: boolean;
  /** Wall-clock formatting; local time HH:MM:SS by default. */
  readonly clock?: (epochMs: number) => string;
}

/** What the words need to know of a ScaledObject run in `mode`. */
export function explainContext(settings: ScaledObjectSettings, mode: ExplainContext['mode']): Omit<ExplainContext, 'clock'> {
  const behavior = settings.hpaBehavior;
  return {
    mode,
    minReplicaCount: settings.minReplicaCount,
    maxReplicaCount: settings.maxReplicaCount,
    cooldownPeriod: settings.cooldownPeriodSeconds,
    customBehavior: behavior?.scaleUp !== undefined || behavior?.scaleDown !== undefined,
  };
}

/** What a scaler's metric counts, where one word says it better than "value". */
const UNITS: Readonly<Record<string, string>> = {
  'azure-queue': 'messages',
  'azure-servicebus': 'messages',
  rabbitmq: 'messages',
  'azure-blob': 'blobs',
  redis: 'items',
  'redis-cluster': 'items',
  'redis-sentinel': 'items',
  'redis-streams': 'entries',
  'redis-cluster-streams': 'entries',
  'redis-sentinel-streams': 'entries',
  kafka: 'messages of lag',
  'azure-eventhub': 'events unprocessed',
  'nats-jetstream': 'messages pending',
};

function hhmmss(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function number(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}

/** `azure-queue js-queue-items`: the type and what the metric name says beyond it. */
function subject(t: TriggerRecord): string {
  const rest = t.metricName.replace(/^s\d+-/, '');
  const what = rest.startsWith(`${t.type}-`) ? rest.slice(t.type.length + 1) : rest === t.type ? '' : rest;
  return what === '' ? t.type : `${t.type} ${what}`;
}

/** One trigger's reading: "azure-queue js-queue-items had 240 messages, target 5 per replica". */
export function describeTrigger(t: TriggerRecord): string {
  if (t.error !== undefined || t.valueMilli === undefined) return `${subject(t)} could not be read (${t.error ?? 'no value'})`;
  const unit = UNITS[t.type];
  const value = number(t.valueMilli / 1000);
  const target = number(t.targetMilli / 1000);
  const per = t.targetType === 'AverageValue' ? ' per replica' : t.targetType === 'Utilization' ? '%' : ' in all';
  return `${subject(t)} had ${value}${unit !== undefined ? ` ${unit}` : ''}, target ${target}${per}`;
}

/** KEDA's side (the poll's executor): activation, cooldown, errors, pauses. */
function executorWords(reason: string | undefined, ctx: ExplainContext): string | undefined {
  switch (reason) {
    case 'KEDAScaleTargetActivated':
      return 'a trigger became active, so KEDA scales up from zero';
    case 'KEDAScaleTargetDeactivated':
      return `no trigger was active for cooldownPeriod (${ctx.cooldownPeriod} s), so KEDA scales to zero`;
    case 'ScalerCooldown':
      return `no trigger is active; waiting out cooldownPeriod (${ctx.cooldownPeriod} s) before scaling to zero`;
    case 'FallbackPending':
    case 'TriggerError':
      return 'a trigger failed to read (fallback counts failures)';
    case 'PartialTriggerError':
      return 'some triggers failed to read; the others decide';
    case 'MinReplicas':
      return `minReplicaCount is ${ctx.minReplicaCount}`;
    case 'Paused':
    case 'PausedReplicas':
    case 'PausedScaleOut':
    case 'PausedScaleIn':
      return 'scaling is paused by an annotation';
    default:
      return undefined;
  }
}

/** The HPA's side: its limits and stabilization windows. */
function hpaWords(d: LoopDecision, reason: string | undefined, ctx: ExplainContext): string | undefined {
  switch (reason) {
    case 'ScaleUpLimit':
      return ctx.customBehavior ? 'the HPA scaleUp policies limit one step' : `the HPA limits a step to max(2 × current, current + 4) = ${Math.max(2 * d.replicasBefore, d.replicasBefore + 4)}`;
    case 'ScaleDownLimit':
      return 'the HPA scaleDown policies limit one step';
    case 'TooManyReplicas':
      // Above max although the metrics ask for less: the scale-down window still holds a higher recommendation.
      return d.desired < ctx.maxReplicaCount
        ? `the HPA keeps the highest recommendation of its scale-down stabilization window, capped at maxReplicaCount ${ctx.maxReplicaCount}`
        : `maxReplicaCount is ${ctx.maxReplicaCount}`;
    case 'TooFewReplicas':
      return `minReplicaCount is ${ctx.minReplicaCount}`;
    case 'ScaleDownStabilized':
      return 'the HPA keeps the highest recommendation of its scale-down stabilization window';
    case 'ScaleUpStabilized':
      return 'the HPA keeps the lowest recommendation of its scale-up stabilization window';
    case 'FailedGetExternalMetric':
      return 'no metric could be read, so the HPA keeps the count';
    default:
      return undefined; // DesiredWithinRange, and ScalingDisabled (the HPA does not act at zero replicas)
  }
}

/** Why the count is what it is, in words: KEDA's reason first, then the HPA's. */
function because(d: LoopDecision, ctx: ExplainContext): string[] {
  const executor = executorWords(d.executorReason ?? (d.step === 'poll' ? d.reason : undefined), ctx);
  const hpa = hpaWords(d, d.hpaReason ?? (d.step === 'hpa' ? d.reason : undefined), ctx);
  // While waiting for cooldown or after deactivation, the HPA's view adds nothing a reader needs.
  const quiet = d.executorReason === 'ScalerCooldown' || d.executorReason === 'KEDAScaleTargetDeactivated';
  return [executor, quiet ? undefined : hpa].filter((w): w is string => w !== undefined);
}

/** One decision in a sentence. */
export function explainDecision(d: LoopDecision, ctx: ExplainContext): string {
  const at = (ctx.clock ?? hhmmss)(d.at);
  const moved = d.replicasAfter !== d.replicasBefore;
  const head = d.error !== undefined ? `tried to scale ${d.replicasBefore} → ${d.desired} at ${at} and failed (${d.error})` : moved ? `scaled ${d.replicasBefore} → ${d.replicasAfter} at ${at}` : `kept ${d.replicasAfter} at ${at}`;
  const readings = d.triggers.map(describeTrigger);
  const parts = [readings.join('; ')];
  const wanted = d.desired > 0 && d.desired !== d.replicasAfter && d.active ? `the metrics ask for ${d.desired}` : undefined;
  if (wanted !== undefined) parts.push(wanted);
  parts.push(...because(d, ctx));
  const step = d.step === 'hpa' ? 'HPA sync' : d.cause === 'push' ? 'poll woken by a push trigger' : 'poll';
  return `${head} (${step}): ${parts.filter((p) => p !== '').join('; ')}`;
}

/** The decisions worth telling: every change, plus the first of each run of unchanged steps with a new reason. */
export function notableDecisions(decisions: readonly LoopDecision[]): LoopDecision[] {
  const out: LoopDecision[] = [];
  let lastReason: string | undefined;
  for (const d of decisions) {
    if (d.replicasAfter !== d.replicasBefore || d.error !== undefined || d.reason !== lastReason) out.push(d);
    lastReason = d.reason;
  }
  return out;
}
