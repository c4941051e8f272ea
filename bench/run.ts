// npm run bench: every benchmark in one process, printed as ratios measured side by side.
import { benchDeploy } from './deploy.js';
import { benchEngine } from './engine.js';
import { benchHost } from './host.js';
import { benchLocal } from './local.js';
import { benchMetricsServer } from './metrics-server.js';
import { benchOperator } from './operator.js';
import { benchScalers } from './scalers.js';

for (const line of benchEngine()) console.log(line);
for (const line of await benchScalers()) console.log(line);
for (const line of await benchHost()) console.log(line);
for (const line of await benchLocal()) console.log(line);
for (const line of await benchDeploy()) console.log(line);
for (const line of await benchMetricsServer()) console.log(line);
for (const line of await benchOperator()) console.log(line);
