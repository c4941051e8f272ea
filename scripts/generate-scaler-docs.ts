// Writes docs/scalers.md from the scaler declarations.
import { writeFileSync } from 'node:fs';
import { allScalers } from '../src/scalers/index.js';
import { scalerReferenceMarkdown } from '../src/scalers/reference-doc.js';

writeFileSync(new URL('../docs/scalers.md', import.meta.url), scalerReferenceMarkdown(allScalers()));
console.log('wrote docs/scalers.md');
