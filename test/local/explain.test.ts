// The words of `tide explain` and the live view, from decisions as the loop records them.
import { describe, expect, it } from 'vitest';
import type { LoopDecision } from '../../src/engine/loop-decisions.js';
import { describeTrigger, explainDecision, notableDecisions, type ExplainContext } from '../../src/local/explain.js';
import { LiveView, sparkline } from '../../src/local/live-view.js';
import type { UpStatus } from '../../src/local/local-up.js';

const ctx: ExplainContext = { mode: 'keda', minReplicaCount: 0, maxReplicaCount: 10, cooldownPeriod: 15, customBehavior: false, clock: () => '10:02:15' };
const queue = { name: '0', type: 'azure-queue', metricName: 's0-azure-queue-js-queue-items', valueMilli: 240_000, targetMilli: 5000, targetType: 'AverageValue', active: true };

function decision(over: Partial<LoopDecision>): LoopDecision {
  return { at: 0, step: 'poll', cause: 'timer', replicasBefore: 0, replicasAfter: 0, desired: 0, active: true, reason: 'ScalerActive', triggers: [queue], ...over };
}

describe('explainDecision', () => {
  it('an HPA step held back by the scale-up limit', () => {
    const d = decision({ step: 'hpa', replicasBefore: 1, replicasAfter: 5, desired: 48, reason: 'ScaleUpLimit', hpaReason: 'ScaleUpLimit' });
    expect(explainDecision(d, ctx)).toBe(
      'scaled 1 → 5 at 10:02:15 (HPA sync): azure-queue js-queue-items had 240 messages, target 5 per replica; the metrics ask for 48; the HPA limits a step to max(2 × current, current + 4) = 5',
    );
  });

  it('activation, cooldown and scale to zero', () => {
    expect(explainDecision(decision({ replicasAfter: 1, desired: 48, reason: 'KEDAScaleTargetActivated' }), ctx)).toContain('a trigger became active, so KEDA scales up from zero');
    const idle = { ...queue, valueMilli: 0, active: false };
    expect(explainDecision(decision({ replicasBefore: 4, replicasAfter: 4, active: false, reason: 'ScalerCooldown', triggers: [idle] }), ctx)).toBe(
      'kept 4 at 10:02:15 (poll): azure-queue js-queue-items had 0 messages, target 5 per replica; no trigger is active; waiting out cooldownPeriod (15 s) before scaling to zero',
    );
    expect(explainDecision(decision({ replicasBefore: 4, active: false, reason: 'KEDAScaleTargetDeactivated', triggers: [idle] }), ctx)).toContain('scaled 4 → 0 at 10:02:15 (poll)');
  });

  it('KEDA reason first: cooldown at the cap, and nothing about pauses at zero', () => {
    const idle = { ...queue, valueMilli: 0, active: false };
    const cooling = decision({ replicasBefore: 10, replicasAfter: 10, active: false, reason: 'TooManyReplicas', executorReason: 'ScalerCooldown', hpaReason: 'TooManyReplicas', triggers: [idle] });
    expect(explainDecision(cooling, ctx)).toBe(
      'kept 10 at 10:02:15 (poll): azure-queue js-queue-items had 0 messages, target 5 per replica; no trigger is active; waiting out cooldownPeriod (15 s) before scaling to zero',
    );
    const atZero = decision({ active: false, reason: 'ScalerNotActive', executorReason: 'ScalerNotActive', hpaReason: 'ScalingDisabled', triggers: [idle] });
    expect(explainDecision(atZero, ctx)).toBe('kept 0 at 10:02:15 (poll): azure-queue js-queue-items had 0 messages, target 5 per replica');
    const held = decision({ step: 'hpa', replicasBefore: 10, replicasAfter: 10, desired: 2, reason: 'TooManyReplicas', hpaReason: 'TooManyReplicas' });
    expect(explainDecision(held, ctx)).toContain('the HPA keeps the highest recommendation of its scale-down stabilization window, capped at maxReplicaCount 10');
  });

  it('a failed read and a failed write', () => {
    const failed = { name: '0', type: 'redis', metricName: 's0-redis-jobs', targetMilli: 5000, targetType: 'AverageValue', error: 'connect ECONNREFUSED' };
    expect(describeTrigger(failed)).toBe('redis jobs could not be read (connect ECONNREFUSED)');
    expect(explainDecision(decision({ replicasBefore: 2, replicasAfter: 2, desired: 6, error: 'the process pool is closed', triggers: [failed], reason: 'FallbackPending' }), ctx)).toMatch(
      /^tried to scale 2 → 6 at 10:02:15 and failed \(the process pool is closed\) \(poll\): redis jobs could not be read/,
    );
  });

  it('Value targets are totals, not per replica; a push wake-up is named', () => {
    const total = { ...queue, targetType: 'Value' };
    expect(explainDecision(decision({ cause: 'push', triggers: [total], replicasAfter: 0 }), ctx)).toContain('(poll woken by a push trigger): azure-queue js-queue-items had 240 messages, target 5 in all');
  });
});

describe('notableDecisions', () => {
  it('keeps changes and new reasons, drops repeats', () => {
    const ds = [decision({ reason: 'ScalerActive' }), decision({ reason: 'ScalerActive' }), decision({ replicasAfter: 2, reason: 'ScalerActive' }), decision({ reason: 'ScalerCooldown' }), decision({ reason: 'ScalerCooldown' })];
    expect(notableDecisions(ds)).toEqual([ds[0], ds[2], ds[3]]);
  });
});

describe('LiveView', () => {
  const status: UpStatus = {
    startedAt: 0,
    mode: 'direct',
    scaledObject: { name: 'hello', namespace: 'default', source: 'file' },
    pollingInterval: 2,
    replicas: [
      { index: 0, phase: 'ready', pid: 1, port: 1, restarts: 0 },
      { index: 1, phase: 'starting', pid: 2, port: 2, restarts: 0 },
    ],
    draining: 1,
    restarts: 0,
    lastDecision: decision({ replicasAfter: 2, desired: 48 }),
    explain: ctx,
  };

  it('draws replicas, triggers, decisions and events on one screen', () => {
    const view = new LiveView({ write: () => undefined, tty: true, source: 'so.yaml', explain: ctx, now: () => 65_000 });
    view.decision(decision({ replicasAfter: 2, desired: 48, reason: 'KEDAScaleTargetActivated' }));
    view.event({ source: 'replicas', message: 'replica 0 ready on port 1 after 300 ms', event: { type: 'ready', index: 0, port: 1, afterMs: 300, message: '' } });
    const frame = view.frame(status).join('\n');
    expect(frame).toContain('tide up · 01:05 · ScaledObject default/hello (so.yaml) · direct mode · polling every 2 s');
    expect(frame).toContain('replicas   2 (1 ready, 1 draining) · peak 2 · max 10 · restarts 0');
    expect(frame).toContain('  azure-queue js-queue-items had 240 messages, target 5 per replica · active');
    expect(frame).toContain('  scaled 0 → 2 at 10:02:15 (poll)');
    expect(frame).toContain('  replica 0 ready on port 1 after 300 ms');
  });

  it('prints one line per change when not on a terminal', () => {
    const lines: string[] = [];
    const view = new LiveView({ write: (t) => lines.push(t), tty: false, source: 'so.yaml', explain: ctx });
    view.decision(decision({ reason: 'ScalerActive' }));
    view.decision(decision({ replicasAfter: 3, desired: 48 }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^scaled 0 → 3 at 10:02:15/);
  });

  it('sparkline scales counts to the maximum', () => {
    expect(sparkline([0, 1, 5, 10], 10)).toBe(' ▁▄█');
  });
});
