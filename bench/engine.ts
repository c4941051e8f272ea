// bench/engine: one tick of the scaling engine (evaluate → executor → HPA) for 10,000 ScaledObjects,
// the work the scale loop does per polling interval at scale. Prints time per object per tick, with
// both modes side by side in one run (absolute times on this noisy machine are not comparable across runs).

import { evaluate, type TriggerObservation } from '../src/scaling/evaluate.js';
import { decideScaledObject, type ExecutorSpec, type ExecutorState } from '../src/scaling/executor.js';
import type { HealthMap } from '../src/scaling/fallback.js';
import { syncHpa, type HpaState } from '../src/scaling/hpa.js';

const OBJECTS = 10_000;
const TICKS = 40;
const BUDGET_MICROS = 20;

interface Bench {
  spec: ExecutorSpec;
  triggers: TriggerObservation[];
  executor: ExecutorState;
  health: HealthMap;
  hpa: HpaState | undefined;
  replicas: number;
}

function makeObjects(start: number): Bench[] {
  return Array.from({ length: OBJECTS }, (_, i) => ({
    spec: {
      minReplicaCount: i % 4 === 0 ? 1 : 0,
      maxReplicaCount: 50,
      cooldownPeriod: 300,
      initialCooldownPeriod: 0,
      pause: { paused: false, scaleIn: false, scaleOut: false },
      forceActivation: false,
      ...(i % 5 === 0 ? { fallback: { failureThreshold: 3, replicas: 4, behavior: 'static' as const } } : {}),
    },
    triggers: Array.from({ length: 1 + (i % 3) }, (_, j) => ({
      metricName: `s${j}-azure-queue-q${i}-${j}`,
      triggerName: `t${j}`,
      index: j,
      kind: 'external' as const,
      targetType: 'AverageValue' as const,
      targetMilli: 5000,
      activationMilli: 0,
    })),
    executor: { creationTime: start, conditions: {} },
    health: {},
    hpa: undefined,
    replicas: 0,
  }));
}

/** A queue depth that rises and falls per object, with an occasional scaler error. */
function valueAt(i: number, j: number, tick: number): number | null {
  if ((i + tick) % 97 === 0 && j === 0) return null;
  return Math.max(0, Math.round(200 * Math.sin((i + j * 7 + tick) / 6)));
}

function tick(objects: Bench[], t: number, now: number, mode: 'keda' | 'direct'): void {
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i];
    if (!o) continue;
    const triggers = o.triggers.map((trigger, j) => {
      const value = valueAt(i, j, t);
      return { ...trigger, result: value === null ? { error: 'unreachable' } : { valueMilli: value * 1000 } };
    });
    const observation = evaluate({ triggers, fallback: o.spec.fallback, health: o.health, currentReplicas: o.replicas, readyPods: o.replicas });
    o.health = observation.health;
    const decision = decideScaledObject(o.spec, o.executor, observation, o.replicas, now);
    o.executor = { ...o.executor, lastActiveTime: decision.lastActiveTime, conditions: { ...o.executor.conditions, ...decision.conditions } };
    if (decision.replicas !== undefined) o.replicas = decision.replicas;
    if (o.replicas === 0) continue;
    const metrics = observation.metrics.map((m) => ({ name: m.metricName, targetType: 'AverageValue' as const, targetMilli: 5000, valueMilli: m.valueMilli, error: m.error }));
    const hpa = syncHpa({
      spec: { minReplicas: Math.max(1, o.spec.minReplicaCount), maxReplicas: o.spec.maxReplicaCount },
      currentReplicas: o.replicas,
      statusReplicas: o.replicas,
      readyPods: o.replicas,
      metrics,
      now,
      state: o.hpa,
      options: { scaleUpLimit: mode === 'direct' ? 'none' : 'kubernetes' },
    });
    o.hpa = hpa.state;
    o.replicas = hpa.desiredReplicas;
  }
}

function run(mode: 'keda' | 'direct'): number {
  const start = Date.UTC(2026, 0, 1);
  const objects = makeObjects(start);
  for (let t = 0; t < 5; t++) tick(objects, t, start + t * 15_000, mode); // warm-up
  const begin = process.hrtime.bigint();
  for (let t = 5; t < 5 + TICKS; t++) tick(objects, t, start + t * 15_000, mode);
  const elapsed = Number(process.hrtime.bigint() - begin) / 1e3;
  return elapsed / (TICKS * OBJECTS);
}

/** Runs the engine benchmark and returns printable lines. */
export function benchEngine(): string[] {
  const rounds = [run('keda'), run('direct'), run('keda'), run('direct')];
  const keda = Math.min(rounds[0] ?? 0, rounds[2] ?? 0);
  const direct = Math.min(rounds[1] ?? 0, rounds[3] ?? 0);
  return [
    `engine: ${OBJECTS} ScaledObjects × ${TICKS} ticks (evaluate → executor → HPA), 1–3 triggers each`,
    `  keda mode    ${keda.toFixed(2)} µs per object per tick  (${(keda / BUDGET_MICROS).toFixed(2)} × the ${BUDGET_MICROS} µs budget)`,
    `  direct mode  ${direct.toFixed(2)} µs per object per tick  (${(direct / BUDGET_MICROS).toFixed(2)} × the budget; direct/keda = ${(direct / keda).toFixed(2)})`,
  ];
}
