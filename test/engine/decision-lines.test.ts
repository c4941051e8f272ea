// Decision lines (`tide up --output json`) read back as a trace for `tide simulate`.
import { describe, expect, it } from 'vitest';
import { decisionLine, looksLikeDecisionLines } from '../../src/engine/decision-lines.js';
import type { LoopDecision } from '../../src/engine/loop-decisions.js';
import { parseTrace } from '../../src/engine/trace.js';

const base: LoopDecision = { at: 1_000_000, step: 'poll', cause: 'timer', replicasBefore: 0, replicasAfter: 1, desired: 3, active: true, reason: 'KEDAScaleTargetActivated', triggers: [] };
const trigger = (name: string, valueMilli?: number) => ({ name, type: 'redis', metricName: `s0-redis-${name}`, targetMilli: 5000, targetType: 'AverageValue', ...(valueMilli === undefined ? { error: 'down' } : { valueMilli, active: true }) });

describe('decision lines', () => {
  it('print values in metric units and seconds since the start', () => {
    const line = decisionLine({ ...base, at: 1_002_500, triggers: [trigger('jobs', 12_500)] }, 1_000_000);
    expect(line).toMatchObject({ at: new Date(1_002_500).toISOString(), t: 2.5, replicasAfter: 1, triggers: [{ name: 'jobs', value: 12.5, target: 5, active: true }] });
  });

  it('read back as a trace: t from the first line, one column per trigger, a failed read as null', () => {
    const text = [
      decisionLine({ ...base, at: 1_001_000, triggers: [trigger('jobs', 10_000), trigger('mail', 0)] }, 1_000_000),
      decisionLine({ ...base, at: 1_003_000, triggers: [trigger('jobs'), trigger('mail', 2000)] }, 1_000_000),
    ].map((l) => JSON.stringify(l)).join('\n');
    expect(looksLikeDecisionLines(text)).toBe(true);
    expect(parseTrace(text, 'run.jsonl')).toEqual({ ok: true, trace: { columns: ['jobs', 'mail'], samples: [{ t: 0, values: [10, 0] }, { t: 2, values: [null, 2] }] } });
  });

  it('put each timer step back on its due time, so a late step is not skipped by a replay on the exact grid', () => {
    // Due every second from 1_000_000; the second step ran 40 ms late, the third on time: read at their
    // run times, the simulator's poll at t=1 would see the first sample and its poll at t=2 the third,
    // never the one-poll spike (the CI flake this guards against).
    const steps = [
      { at: 1_000_000, due: 1_000_000, value: 0 },
      { at: 1_001_040, due: 1_001_000, value: 120_000 },
      { at: 1_002_000, due: 1_002_000, value: 0 },
    ];
    const lines = steps.map((s) => decisionLine({ ...base, at: s.at, due: s.due, triggers: [trigger('jobs', s.value)] }, 1_000_000));
    expect(lines[1]).toMatchObject({ t: 1.04, late: 0.04 });
    const result = parseTrace(lines.map((l) => JSON.stringify(l)).join('\n'), 'run.jsonl');
    expect(result).toEqual({ ok: true, trace: { columns: ['jobs'], samples: [{ t: 0, values: [0] }, { t: 1, values: [120] }, { t: 2, values: [0] }] } });
  });

  it('keep time order when a push step falls between a late step\'s due and run times', () => {
    const lines = [
      decisionLine({ ...base, at: 1_000_000, due: 1_000_000, triggers: [trigger('jobs', 1000)] }, 1_000_000),
      decisionLine({ ...base, at: 1_000_500, cause: 'push', triggers: [trigger('jobs', 2000)] }, 1_000_000),
      decisionLine({ ...base, at: 1_001_600, due: 1_000_400, triggers: [trigger('jobs', 3000)] }, 1_000_000),
    ];
    const result = parseTrace(lines.map((l) => JSON.stringify(l)).join('\n'), 'run.jsonl');
    expect(result.ok && result.trace.samples.map((s) => s.t)).toEqual([0, 0.4, 0.5]);
  });

  it('a broken line names the file and line', () => {
    const text = `${JSON.stringify(decisionLine({ ...base, triggers: [trigger('jobs', 1)] }, base.at))}\n{"t":1,"triggers":[{"value":1}]}\nnot json`;
    const result = parseTrace(text, 'run.jsonl');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors[0]).toBe('run.jsonl:2: each trigger needs a "name" and a numeric or null "value"');
      expect(result.errors[1]).toMatch(/^run\.jsonl:3: not valid JSON/);
    }
  });

  it('ordinary JSON traces are not mistaken for decision lines', () => {
    expect(looksLikeDecisionLines('[{"t":0,"jobs":1}]')).toBe(false);
    expect(looksLikeDecisionLines('t,jobs\n0,1')).toBe(false);
  });
});
