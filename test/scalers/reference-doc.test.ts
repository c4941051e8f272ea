import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allScalers } from '../../src/scalers/index.js';
import { scalerReferenceMarkdown } from '../../src/scalers/reference-doc.js';

describe('docs/scalers.md', () => {
  const generated = scalerReferenceMarkdown(allScalers());

  it('is up to date with the declarations (run npm run docs:scalers)', () => {
    expect(readFileSync(new URL('../../docs/scalers.md', import.meta.url), 'utf8')).toBe(generated);
  });

  it('documents every registered type with its parameters', () => {
    for (const scaler of allScalers()) expect(generated).toContain(`## \`${scaler.type}\``);
    expect(generated).toContain('| `queueName` | string |  | yes | metadata |');
    expect(generated).toContain('Metric name: `s<index>-azure-queue-<queueName>`');
  });
});
