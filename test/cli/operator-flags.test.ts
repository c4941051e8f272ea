// `tide operator` reads KEDA's controller concurrency variables as KEDA's operator does.
import { describe, expect, test } from 'vitest';
import { readOperatorFlags } from '../../src/cli/operator.js';
import { UsageError, type CliIO } from '../../src/cli/io.js';

const io = (env: Record<string, string>): CliIO => ({ stdout: () => undefined, stderr: () => undefined, isTTY: false, cwd: '/', env });

describe('tide operator: KEDA_*_CTRL_MAX_RECONCILES', () => {
  test("KEDA's defaults: 5 ScaledObject reconciles at once, 1 ScaledJob reconcile", () => {
    const flags = readOperatorFlags([], io({}));
    expect(flags.maxReconciles).toBe(5);
    expect(flags.scaledJobMaxReconciles).toBe(1);
  });

  test('the variables set them', () => {
    const flags = readOperatorFlags([], io({ KEDA_SCALEDOBJECT_CTRL_MAX_RECONCILES: '20', KEDA_SCALEDJOB_CTRL_MAX_RECONCILES: '4' }));
    expect(flags.maxReconciles).toBe(20);
    expect(flags.scaledJobMaxReconciles).toBe(4);
  });

  test('a value below 1 or not a number is refused, naming the variable', () => {
    expect(() => readOperatorFlags([], io({ KEDA_SCALEDJOB_CTRL_MAX_RECONCILES: '0' }))).toThrow(UsageError);
    expect(() => readOperatorFlags([], io({ KEDA_SCALEDJOB_CTRL_MAX_RECONCILES: 'many' }))).toThrow(/KEDA_SCALEDJOB_CTRL_MAX_RECONCILES must be a number ≥ 1, got "many"/);
    expect(() => readOperatorFlags([], io({ KEDA_SCALEDOBJECT_CTRL_MAX_RECONCILES: '' }))).toThrow(/KEDA_SCALEDOBJECT_CTRL_MAX_RECONCILES/);
  });
});
