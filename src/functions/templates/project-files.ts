// The files `func init` writes for a Node app (functions.md §3): package.json per language and
// programming model, host.json with the extension bundle, local.settings.json, .funcignore,
// .gitignore, .vscode/extensions.json, and tsconfig.json for TypeScript. v4 apps also get an empty
// src/functions/ for `tide new` to fill.
import type { Language, ProgrammingModel } from './catalogue.js';

export type BundleChannel = 'GA' | 'Preview' | 'Experimental';

export interface ProjectOptions {
  readonly language: Language;
  readonly model: ProgrammingModel;
  /** `--no-bundle`: host.json without extensionBundle. */
  readonly bundle?: boolean;
  readonly bundlesChannel?: BundleChannel;
}

export interface ProjectFiles {
  /** Relative path → content. */
  readonly files: Record<string, string>;
  /** Empty folders to create. */
  readonly folders: readonly string[];
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
const NO_TESTS = 'echo "No tests yet..."';

/** package.json as func writes it for each language and model. */
export function packageJson(language: Language, model: ProgrammingModel): Record<string, unknown> {
  const base = { name: '', version: '1.0.0', description: '' };
  if (model === 'v4' && language === 'javascript') {
    return { ...base, main: 'src/functions/*.js', scripts: { start: 'func start', test: NO_TESTS }, dependencies: { '@azure/functions': '^4.0.0' } };
  }
  if (model === 'v4') {
    return {
      ...base,
      main: 'dist/src/functions/*.js',
      scripts: { build: 'tsc', watch: 'tsc -w', clean: 'rimraf dist', prestart: 'npm run clean && npm run build', start: 'func start', test: NO_TESTS },
      dependencies: { '@azure/functions': '^4.0.0' },
      devDependencies: { '@types/node': '18.x', typescript: '^5.0.0', rimraf: '^5.0.0' },
    };
  }
  if (language === 'javascript') return { ...base, scripts: { start: 'func start', test: NO_TESTS } };
  return {
    ...base,
    scripts: { build: 'tsc', watch: 'tsc -w', prestart: 'npm run build', start: 'func start', test: NO_TESTS },
    devDependencies: { '@azure/functions': '^3.0.0', '@types/node': '18.x', typescript: '^5.0.0' },
  };
}

/** host.json: version 2.0, Application Insights sampling, and the extension bundle of the channel. */
export function hostJson(bundle = true, channel: BundleChannel = 'GA'): Record<string, unknown> {
  const logging = { applicationInsights: { samplingSettings: { isEnabled: true, excludedTypes: 'Request' } } };
  if (!bundle) return { version: '2.0', logging };
  const id = `Microsoft.Azure.Functions.ExtensionBundle${channel === 'GA' ? '' : `.${channel}`}`;
  return { version: '2.0', logging, extensionBundle: { id, version: '[4.*, 5.0.0)' } };
}

/** local.settings.json of a new Node app. */
export const LOCAL_SETTINGS = { IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: 'node', AzureWebJobsStorage: 'UseDevelopmentStorage=true' } };

const FUNCIGNORE = ['*.js.map', '*.ts', '.git*', '.vscode', 'local.settings.json', 'test', 'getting_started.md', 'node_modules/@types/', 'node_modules/azure-functions-core-tools/', 'node_modules/typescript/'];

const GITIGNORE = [
  'bin',
  'obj',
  'csx',
  '.vs',
  'edge',
  'Publish',
  '',
  '*.user',
  '*.suo',
  '*.cscfg',
  '*.Cache',
  'project.lock.json',
  '',
  '/packages',
  '/TestResults',
  '',
  '/tools/NuGet.exe',
  '/App_Data',
  '/secrets',
  '/data',
  '.secrets',
  'appsettings.json',
  'local.settings.json',
  '',
  'node_modules',
  'dist',
  '',
  '# Azurite artifacts',
  '__blobstorage__',
  '__queuestorage__',
  '__tablestorage__',
  '__azurite_db*__.json',
];

const TSCONFIG = { compilerOptions: { module: 'commonjs', target: 'es6', outDir: 'dist', rootDir: '.', sourceMap: true, strict: false, esModuleInterop: true } };

/** Everything `tide init` writes for a new app (not the Dockerfile). */
export function projectFiles(options: ProjectOptions): ProjectFiles {
  const files: Record<string, string> = {
    'package.json': json(packageJson(options.language, options.model)),
    '.funcignore': `${FUNCIGNORE.join('\n')}\n`,
    '.gitignore': `${GITIGNORE.join('\n')}\n`,
    'host.json': json(hostJson(options.bundle ?? true, options.bundlesChannel ?? 'GA')),
    'local.settings.json': json(LOCAL_SETTINGS),
    '.vscode/extensions.json': json({ recommendations: ['ms-azuretools.vscode-azurefunctions'] }),
  };
  if (options.language === 'typescript') files['tsconfig.json'] = json(TSCONFIG);
  return { files, folders: options.model === 'v4' ? ['src/functions'] : [] };
}
