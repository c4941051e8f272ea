// npm run bench: every benchmark in one process, printed as ratios measured side by side.
import { benchEngine } from './engine.js';

for (const line of benchEngine()) console.log(line);
