// npm run bench: every benchmark in one process, printed as ratios measured side by side.
import { benchEngine } from './engine.js';
import { benchHost } from './host.js';
import { benchScalers } from './scalers.js';

for (const line of benchEngine()) console.log(line);
for (const line of await benchScalers()) console.log(line);
for (const line of await benchHost()) console.log(line);
