import { describe, expect, test } from 'vitest';
import { WorkQueue } from '../../src/kube/work-queue.js';

describe('WorkQueue', () => {
  test('a key added while it runs runs again after, never twice at once; keys added while waiting collapse', async () => {
    const queue = new WorkQueue({ concurrency: 1 });
    let running = 0;
    let most = 0;
    const runs: string[] = [];
    let release: (() => void) | undefined;
    const gate = new Promise<void>((r) => { release = r; });
    queue.start(async (key) => {
      running++;
      most = Math.max(most, running);
      runs.push(key);
      if (runs.length === 1) await gate;
      running--;
      return undefined;
    });
    queue.add('a');
    queue.add('a'); // running: marks it dirty
    queue.add('a');
    queue.add('b');
    queue.add('b'); // waiting: collapses
    release?.();
    await queue.idle();
    expect(runs).toEqual(['a', 'b', 'a']);
    expect(most).toBe(1);
    await queue.stop();
  });

  test('failures back off per key and double; success forgets them', async () => {
    const queue = new WorkQueue({ baseDelayMs: 1, qps: 0 });
    let calls = 0;
    const done = new Promise<void>((resolve) => {
      queue.start((key) => {
        calls++;
        if (calls < 4) return Promise.reject(new Error(`fail ${key}`));
        resolve();
        return Promise.resolve(undefined);
      });
    });
    queue.add('x');
    await done;
    await queue.idle();
    expect([calls, queue.retries('x')]).toEqual([4, 0]);
    queue.addRateLimited('y');
    queue.addRateLimited('y');
    expect(queue.retries('y')).toBe(2);
    await queue.stop();
  });
});
