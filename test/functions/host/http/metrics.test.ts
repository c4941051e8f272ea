import { describe, expect, it } from 'vitest';
import { createHostMetrics, createMetricsRegistry, formatValue } from '../../../../src/functions/host/http/metrics.js';

describe('metrics registry', () => {
  it('renders counters and gauges with sorted, escaped labels', () => {
    const r = createMetricsRegistry();
    const c = r.counter('jobs_total', 'Jobs\ndone');
    c.inc({ b: 'x"y', a: 'back\\slash' }, 2);
    c.inc({ a: 'back\\slash', b: 'x"y' });
    r.gauge('up', 'Up.').set({}, 1);
    expect(r.render()).toBe(
      '# HELP jobs_total Jobs\\ndone\n# TYPE jobs_total counter\njobs_total{a="back\\\\slash",b="x\\"y"} 3\n' + '# HELP up Up.\n# TYPE up gauge\nup 1\n',
    );
  });

  it('histogram buckets are cumulative with +Inf, _sum and _count', () => {
    const r = createMetricsRegistry();
    const h = r.histogram('d_seconds', 'D.', [0.1, 1]);
    for (const v of [0.05, 0.5, 2]) h.observe({ f: 'a' }, v);
    // 0.05 ≤ 0.1; 0.05 and 0.5 ≤ 1; all three ≤ +Inf; sum 2.55
    expect(r.render()).toBe(
      '# HELP d_seconds D.\n# TYPE d_seconds histogram\n' +
        'd_seconds_bucket{f="a",le="0.1"} 1\nd_seconds_bucket{f="a",le="1"} 2\nd_seconds_bucket{f="a",le="+Inf"} 3\n' +
        'd_seconds_sum{f="a"} 2.55\nd_seconds_count{f="a"} 3\n',
    );
  });

  it('rejects bad names, type clashes and negative counter increments', () => {
    const r = createMetricsRegistry();
    expect(() => r.counter('bad-name', 'x')).toThrow(/invalid metric name/);
    r.counter('x_total', 'x');
    expect(() => r.gauge('x_total', 'x')).toThrow(/already a counter/);
    expect(() => {
      r.counter('x_total', 'x').inc({}, -1);
    }).toThrow(/cannot decrease/);
  });

  it.each([
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
    [0.25, '0.25'],
  ])('formatValue(%s) = %s', (v, text) => {
    expect(formatValue(v)).toBe(text);
  });

  it('host metrics: executions by outcome, duration, in-flight, received/settled/poisoned', () => {
    const m = createHostMetrics();
    m.invocationStarted('Q');
    m.invocationStarted('Q');
    m.invocationFinished('Q', 'success', 30); // 0.03 s
    m.messageReceived('Q', 'queueTrigger', 2);
    m.messageSettled('Q', 'queueTrigger', 'completed');
    m.messageSettled('Q', 'queueTrigger', 'poisoned');
    const text = m.registry.render();
    expect(text).toContain('tide_function_executions_total{function="Q",outcome="success"} 1\n');
    expect(text).toContain('tide_function_in_flight{function="Q"} 1\n'); // 2 started − 1 finished
    expect(text).toContain('tide_function_duration_seconds_bucket{function="Q",le="0.025"} 0\n');
    expect(text).toContain('tide_function_duration_seconds_bucket{function="Q",le="0.05"} 1\n');
    expect(text).toContain('tide_messages_received_total{function="Q",trigger="queueTrigger"} 2\n');
    expect(text).toContain('tide_messages_settled_total{function="Q",result="poisoned",trigger="queueTrigger"} 1\n');
    expect(text).toContain('tide_messages_poisoned_total{function="Q",trigger="queueTrigger"} 1\n');
  });
});
