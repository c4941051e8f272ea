// Writes deploy/crds/keda.sh_<plural>.yaml from the keda.sh model in src/api (npm run crds).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crdFileName, crdYaml } from '../src/api/crds.js';
import { KEDA_KINDS } from '../src/api/kinds.js';

const directory = join(import.meta.dirname, '..', 'deploy', 'crds');
mkdirSync(directory, { recursive: true });
for (const kind of KEDA_KINDS) {
  const file = join(directory, crdFileName(kind));
  writeFileSync(file, crdYaml(kind));
  process.stderr.write(`wrote ${file}\n`);
}
