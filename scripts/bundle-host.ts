// Bundles the functions host (src/functions/host/main.ts) into one self-contained ESM file for the
// runtime image: small image, fast pull, fast cold start. Run by `npm run build`.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../src/functions/host/main.ts', import.meta.url));
export const DEFAULT_OUTFILE = fileURLToPath(new URL('../dist/runtime/tide-host.mjs', import.meta.url));

/** Writes the bundle to `outfile` and returns the bundled input paths (to check what went in). */
export async function bundleHost(outfile = DEFAULT_OUTFILE): Promise<string[]> {
  const result = await build({
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    metafile: true,
    logLevel: 'warning',
    // CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
    banner: { js: "import { createRequire as __tideCreateRequire } from 'node:module'; const require = __tideCreateRequire(import.meta.url);" },
  });
  return Object.keys(result.metafile.inputs);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const inputs = await bundleHost();
  console.log(`bundled the functions host: ${DEFAULT_OUTFILE} (${inputs.length} modules)`);
}
