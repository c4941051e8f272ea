import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { TIDE_FUNCTIONS_IMAGE } from '../../src/functions/templates/dockerfile.js';
import { runCli, tempFiles } from '../helpers/cli.js';

const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');
const readJson = (dir: string, file: string): Record<string, unknown> => JSON.parse(read(dir, file)) as Record<string, unknown>;

/** Every file under `dir`, relative, sorted. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix))
    .flatMap((name) => {
      const path = prefix === '' ? name : `${prefix}/${name}`;
      return statSync(join(dir, path)).isDirectory() ? [`${path}/`, ...tree(dir, path)] : [path];
    })
    .sort();
}

const COMMON = ['.funcignore', '.gitignore', '.vscode/', '.vscode/extensions.json', 'host.json', 'local.settings.json', 'package.json'];

describe('tide init', () => {
  it('V4 JavaScript by default: func\'s files, an empty src/functions, package.json main on src/functions/*.js', async () => {
    const dir = tempFiles({});
    const run = await runCli(['init', 'app', '--worker-runtime', 'node', '--skip-npm-install'], dir);
    expect(run).toMatchObject({ code: 0, stdout: '' });
    const app = join(dir, 'app');
    expect(tree(app)).toEqual([...COMMON, 'src/', 'src/functions/'].sort());
    expect(readJson(app, 'package.json')).toEqual({
      name: '',
      version: '1.0.0',
      description: '',
      main: 'src/functions/*.js',
      scripts: { start: 'func start', test: 'echo "No tests yet..."' },
      dependencies: { '@azure/functions': '^4.0.0' },
    });
    expect(readJson(app, 'host.json')).toEqual({
      version: '2.0',
      logging: { applicationInsights: { samplingSettings: { isEnabled: true, excludedTypes: 'Request' } } },
      extensionBundle: { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' },
    });
    expect(read(app, 'local.settings.json')).toBe(
      '{\n  "IsEncrypted": false,\n  "Values": {\n    "FUNCTIONS_WORKER_RUNTIME": "node",\n    "AzureWebJobsStorage": "UseDevelopmentStorage=true"\n  }\n}\n',
    );
    expect(read(app, '.funcignore').split('\n')).toEqual(expect.arrayContaining(['local.settings.json', '*.ts', 'node_modules/typescript/']));
    expect(read(app, '.gitignore').split('\n')).toEqual(expect.arrayContaining(['local.settings.json', 'node_modules', 'dist']));
    expect(readJson(app, '.vscode/extensions.json')).toEqual({ recommendations: ['ms-azuretools.vscode-azurefunctions'] });
    expect(run.stderr).toContain('Writing package.json');
  });

  it('V4 TypeScript: tsconfig.json and the build scripts, main on dist/src/functions/*.js', async () => {
    const dir = tempFiles({});
    const run = await runCli(['init', '--language', 'TypeScript', '--model', 'v4', '--skip-npm-install'], dir);
    expect(run.code).toBe(0);
    expect(tree(dir)).toEqual([...COMMON, 'src/', 'src/functions/', 'tsconfig.json'].sort());
    expect(readJson(dir, 'package.json')).toMatchObject({
      main: 'dist/src/functions/*.js',
      scripts: { build: 'tsc', watch: 'tsc -w', clean: 'rimraf dist', prestart: 'npm run clean && npm run build', start: 'func start' },
      dependencies: { '@azure/functions': '^4.0.0' },
      devDependencies: { '@types/node': '18.x', typescript: '^5.0.0', rimraf: '^5.0.0' },
    });
    expect(readJson(dir, 'tsconfig.json')).toEqual({
      compilerOptions: { module: 'commonjs', target: 'es6', outDir: 'dist', rootDir: '.', sourceMap: true, strict: false, esModuleInterop: true },
    });
  });

  it.each([
    ['javascript', ['--worker-runtime', 'node', '--model', 'V3'], {}],
    ['typescript', ['--worker-runtime', 'typescript', '-m', 'V3'], { devDependencies: { '@azure/functions': '^3.0.0', '@types/node': '18.x', typescript: '^5.0.0' } }],
  ])('V3 %s: no src/functions, no main, no @azure/functions 4', async (language, flags, extra) => {
    const dir = tempFiles({});
    const run = await runCli(['init', ...flags], dir);
    expect(run.code).toBe(0);
    expect(tree(dir)).toEqual([...COMMON, ...(language === 'typescript' ? ['tsconfig.json'] : [])].sort());
    const pkg = readJson(dir, 'package.json');
    expect(pkg).not.toHaveProperty('main');
    expect(pkg).not.toHaveProperty('dependencies');
    expect(pkg).toMatchObject(extra);
    // V3 apps get no npm install from func either: nothing ran, so no node_modules.
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
  });

  it("--docker: a Dockerfile on tide's runtime image (tagged with tide's version) and a .dockerignore keeping local settings out", async () => {
    const dir = tempFiles({});
    const run = await runCli(['init', '--docker', '--skip-npm-install'], dir);
    expect(run.code).toBe(0);
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    expect(TIDE_FUNCTIONS_IMAGE).toBe(`ghcr.io/tide-dev/tide-functions-node:${version}`);
    const dockerfile = read(dir, 'Dockerfile');
    expect(dockerfile).toMatch(new RegExp(`^FROM ghcr\\.io/tide-dev/tide-functions-node:${version.replace(/\./g, '\\.')}$`, 'm'));
    expect(dockerfile).toContain('WORKDIR /home/site/wwwroot');
    expect(dockerfile).toMatch(/COPY package\.json package\.json\nRUN npm install\n[\s\S]*COPY \. \./);
    expect(dockerfile).toContain('CMD ["node", "/tide/tide-host.mjs"]');
    expect(dockerfile).not.toContain('npm run build');
    // Only instructions tide's image builder handles without Docker.
    expect(dockerfile.split('\n').filter((l) => l.startsWith('RUN '))).toEqual(['RUN npm install']);
    expect(read(dir, '.dockerignore')).toBe('local.settings.json\n');
  });

  it("--image-base azure: func's Dockerfile on Microsoft's image; TypeScript builds after copying", async () => {
    const dir = tempFiles({});
    const run = await runCli(['init', '--typescript', '--docker', '--image-base', 'azure', '--skip-npm-install'], dir);
    expect(run.code).toBe(0);
    const dockerfile = read(dir, 'Dockerfile');
    expect(dockerfile).toMatch(/^FROM mcr\.microsoft\.com\/azure-functions\/node:4-node20$/m);
    expect(dockerfile).not.toContain('tide-functions-node');
    expect(dockerfile).not.toContain('CMD');
    expect(dockerfile.trimEnd().split('\n').slice(-2)).toEqual(['COPY . .', 'RUN npm run build']);
  });

  it('--docker-only adds only the Dockerfile to an existing app, TypeScript when it has a tsconfig.json', async () => {
    const dir = tempFiles({ 'host.json': '{"version": "2.0"}', 'tsconfig.json': '{}' });
    const run = await runCli(['init', '--docker-only'], dir);
    expect(run.code).toBe(0);
    expect(tree(dir)).toEqual(['.dockerignore', 'Dockerfile', 'host.json', 'tsconfig.json']);
    expect(read(dir, 'Dockerfile')).toContain('RUN npm run build');
    expect(read(dir, 'host.json')).toBe('{"version": "2.0"}');
  });

  it('refuses to overwrite an existing file, names it and writes nothing; --force overwrites', async () => {
    const dir = tempFiles({ 'host.json': '{"version": "2.0", "mine": true}' });
    const refused = await runCli(['init', '--skip-npm-install'], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${join(dir, 'host.json')} already exists; nothing was written (pass --force to overwrite)`);
    expect(tree(dir)).toEqual(['host.json']);
    expect(read(dir, 'host.json')).toContain('"mine"');

    const forced = await runCli(['init', '--skip-npm-install', '--force'], dir);
    expect(forced.code).toBe(0);
    expect(read(dir, 'host.json')).not.toContain('"mine"');
    expect(existsSync(join(dir, 'package.json'))).toBe(true);
  });

  it('runs npm install for a V4 app, and says clearly when npm cannot be run (the files stay written)', async () => {
    const dir = tempFiles({});
    let stderr = '';
    const code = await main(['init', 'app'], { stdout: () => undefined, stderr: (t) => (stderr += t), isTTY: false, cwd: dir, env: { PATH: join(dir, 'no-such-bin') } });
    expect(code).toBe(1);
    expect(stderr).toContain(`Running npm install in ${join(dir, 'app')}`);
    expect(stderr).toContain('npm was not found on PATH');
    expect(stderr).toContain('--skip-npm-install');
    expect(existsSync(join(dir, 'app', 'package.json'))).toBe(true);
  });

  it.each([
    [['init', '--model', 'V5'], '--model must be V3 or V4, got "V5"'],
    [['init', '--worker-runtime', 'python'], '--worker-runtime "python" is not supported'],
    [['init', '--language', 'cobol'], '--language must be javascript or typescript'],
    [['init', '--image-base', 'azure'], '--image-base needs --docker or --docker-only'],
    [['init', '--docker', '--image-base', 'alpine'], '--image-base must be tide or azure'],
    [['init', 'a', 'b'], 'expected at most one folder'],
  ])('%j is a usage error', async (argv, message) => {
    const dir = tempFiles({});
    const run = await runCli(argv, dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--no-bundle and --bundles-channel shape host.json', async () => {
    const none = tempFiles({});
    await runCli(['init', '--no-bundle', '--model', 'V3'], none);
    expect(readJson(none, 'host.json')).not.toHaveProperty('extensionBundle');
    const preview = tempFiles({});
    await runCli(['init', '-c', 'preview', '--model', 'V3'], preview);
    expect(readJson(preview, 'host.json')).toMatchObject({ extensionBundle: { id: 'Microsoft.Azure.Functions.ExtensionBundle.Preview' } });
  });
});
