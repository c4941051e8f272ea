// Test doubles for the scale loop: a manual clock, a target that records writes, and a scaler
// (declared with defineScaler) whose value, failure and push the test controls.
import { loadYaml } from '../../src/api/load.js';
import type { ScaledObject } from '../../src/api/scaled-object.js';
import { parseKedaObject } from '../../src/api/validate.js';
import type { Scheduler, TimerHandle } from '../../src/engine/loop-clock.js';
import { scalerInstanceFactory, type ScalerFactory } from '../../src/engine/loop-scalers.js';
import { defineScaler, param } from '../../src/scalers/index.js';
import type { ScaleTarget } from '../../src/targets/scale-target.js';

export const START = Date.parse('2026-01-01T00:00:00Z');

interface Timer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/** Virtual time: timers fire in due order (ties in creation order) as the test advances. */
export class ManualClock implements Scheduler {
  private timers: Timer[] = [];
  private seq = 0;
  constructor(private time: number) {}
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: ++this.seq, due: this.time + ms, fn };
    this.timers.push(timer);
    return timer;
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }
  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.length;
  }
  /** Moves time to START + seconds, firing each due timer and letting `settle` finish its work before the next. */
  async runUntil(seconds: number, settle: () => Promise<void>): Promise<void> {
    const end = START + seconds * 1000;
    for (;;) {
      const next = [...this.timers].sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!next || next.due > end) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.due;
      next.fn();
      await settle();
    }
    this.time = end;
    await settle();
  }
}

/** A target that applies every write at once (all replicas ready) and records it. */
export class FakeTarget implements ScaleTarget {
  readonly writes: { replicas: number; reason: string }[] = [];
  failWrites = false;
  constructor(public replicas = 0) {}
  getReplicas(): Promise<{ replicas: number; readyReplicas: number }> {
    return Promise.resolve({ replicas: this.replicas, readyReplicas: this.replicas });
  }
  setReplicas(replicas: number, reason: string): Promise<void> {
    if (this.failWrites) return Promise.reject(new Error('the API server said no'));
    this.writes.push({ replicas, reason });
    this.replicas = replicas;
    return Promise.resolve();
  }
}

/** What the fake source holds; the test sets value/failure and fires push. */
export interface FakeSource {
  value: number;
  fail: string | undefined;
  connects: number;
  closes: number;
  onActive: (() => void) | undefined;
}

/** A fake source and a factory that serves `type: fake` triggers from it through ScalerInstance. */
export function fakeScalers(): { source: FakeSource; factory: ScalerFactory } {
  const source: FakeSource = { value: 0, fail: undefined, connects: 0, closes: 0, onActive: undefined };
  const fake = defineScaler({
    type: 'fake',
    params: { queueName: param.string().required(), target: param.quantity().default('5') },
    metricName: (p) => `fake-${p.queueName}`,
    target: (p) => ({ value: p.target }),
    connect: () => {
      source.connects++;
      return source;
    },
    read: (s: FakeSource) => {
      if (s.fail !== undefined) throw new Error(s.fail);
      return { value: s.value };
    },
    close: (s: FakeSource) => {
      s.closes++;
    },
    subscribe: (s: FakeSource, _params, onActive) => {
      s.onActive = onActive;
      return () => {
        s.onActive = undefined;
      };
    },
  });
  return { source, factory: scalerInstanceFactory({ lookup: (type) => (type === 'fake' ? fake : undefined), timeoutMs: 1000 }) };
}

/** A validated ScaledObject with one `fake` trigger named "orders" (target 5 per replica) and the given spec lines. */
export function fakeScaledObject(specLines: string): ScaledObject {
  const yaml = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: so
spec:
  scaleTargetRef:
    name: app
${specLines}  triggers:
    - type: fake
      name: orders
      metadata:
        queueName: orders
`;
  const [object] = loadYaml('so.yaml', yaml).objects;
  const parsed = parseKedaObject('ScaledObject', object?.value);
  if (!parsed.value) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value;
}
