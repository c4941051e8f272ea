// The Dockerfile and .dockerignore of `tide init --docker`: by default on tide's function runtime image
// (Node and the bundled tide functions host), or with `--image-base azure` on Microsoft's Functions
// Node image, as `func init --docker` writes it (functions.md §3). Both copy the app to
// /home/site/wwwroot; only `RUN npm install` and `RUN npm run build` are used, which tide's image
// builder can do without Docker.
import { createRequire } from 'node:module';
import type { Language } from './catalogue.js';

export type ImageBase = 'tide' | 'azure';

function tideVersion(): string {
  // The same relative path from src/functions/templates and dist/functions/templates.
  const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };
  return pkg.version;
}

/** tide's function runtime image, tagged with this tide's version. */
export const TIDE_FUNCTIONS_IMAGE = `ghcr.io/tide-dev/tide-functions-node:${tideVersion()}`;
/** How tide's runtime image starts the functions host (the bundle of `npm run build`). */
export const TIDE_HOST_ENTRY: readonly string[] = ['node', '/tide/tide-host.mjs'];
/** Microsoft's Azure Functions Node image that `func init --docker` uses. */
export const AZURE_FUNCTIONS_NODE_IMAGE = 'mcr.microsoft.com/azure-functions/node:4-node20';
/** Where both images expect the app (AzureWebJobsScriptRoot). */
export const SCRIPT_ROOT = '/home/site/wwwroot';

/** .dockerignore: local settings (with their secrets) never go into an image. */
export const DOCKERIGNORE = 'local.settings.json\n';

/** The Dockerfile for an app in `language` on `base`. */
export function dockerfile(language: Language, base: ImageBase = 'tide'): string {
  const head =
    base === 'tide'
      ? ['# tide function runtime: Node 20 and the tide functions host (runs v3 and v4 Node apps)', `FROM ${TIDE_FUNCTIONS_IMAGE}`]
      : [
          '# To enable ssh & remote debugging on app service change the base image to the one below',
          `# FROM ${AZURE_FUNCTIONS_NODE_IMAGE}-appservice`,
          `FROM ${AZURE_FUNCTIONS_NODE_IMAGE}`,
        ];
  const lines = [
    ...head,
    '',
    `ENV AzureWebJobsScriptRoot=${SCRIPT_ROOT} \\`,
    '    AzureFunctionsJobHost__Logging__Console__IsEnabled=true',
    '',
    `WORKDIR ${SCRIPT_ROOT}`,
    '',
    '# Copy package.json and install packages before copying the rest of the code to enable caching',
    'COPY package.json package.json',
    'RUN npm install',
    '',
    '# Copy the rest of the code',
    'COPY . .',
  ];
  if (language === 'typescript') lines.push('RUN npm run build');
  if (base === 'tide') lines.push('', 'EXPOSE 80', `CMD [${TIDE_HOST_ENTRY.map((part) => JSON.stringify(part)).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}
