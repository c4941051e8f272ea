// Writing generated files into an app folder: nothing is overwritten unless asked, and the check
// happens for every file before the first is written, so a refused run leaves the folder as it was.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The paths (relative to `root`) that already exist. */
export function existingPaths(root: string, paths: Iterable<string>): string[] {
  return [...paths].filter((p) => existsSync(join(root, p)));
}

/** Writes `files` (relative path → content) and creates `folders` under `root`; calls `written` per file. */
export async function writeProjectFiles(root: string, files: Readonly<Record<string, string>>, folders: readonly string[] = [], written?: (path: string) => void): Promise<void> {
  await mkdir(root, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
    written?.(path);
  }
  for (const folder of folders) await mkdir(join(root, folder), { recursive: true });
}
