// Writes deploy/manifests/tide.yaml from src/deploy/install and the chart's crds/ from deploy/crds
// (npm run manifests; run npm run crds first when the model changed).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderInstallYaml } from '../src/deploy/install/render.js';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const file = join(root, 'deploy', 'manifests', 'tide.yaml');
mkdirSync(join(root, 'deploy', 'manifests'), { recursive: true });
writeFileSync(file, renderInstallYaml(pkg.version));
process.stderr.write(`wrote ${file}\n`);
const chartCrds = join(root, 'deploy', 'helm', 'tide', 'crds');
mkdirSync(chartCrds, { recursive: true });
for (const name of readdirSync(join(root, 'deploy', 'crds'))) {
  copyFileSync(join(root, 'deploy', 'crds', name), join(chartCrds, name));
  process.stderr.write(`wrote ${join(chartCrds, name)}\n`);
}
