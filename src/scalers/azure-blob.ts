// azure-blob: scale on the number of blobs in an Azure Storage container (under a prefix, or matching a glob).

import { defineScaler, issue, type IssueResult } from './define.js';
import { param } from './param.js';
import { milliFromInt } from './metric-name.js';
import { checkCloud, checkStorageCredential, storageEndpointSuffix, storageParams } from './azure-storage.js';

/** The azure-blob scaler declaration. */
export const azureBlob = defineScaler({
  type: 'azure-blob',
  params: {
    blobContainerName: param.string().required(),
    blobCount: param.int().default(5),
    activationBlobCount: param.int().default(0),
    blobDelimiter: param.string().default('/'),
    blobPrefix: param.string(),
    recursive: param.bool().default(false),
    globPattern: param.string(),
    connection: param.string().from('authParams', 'fromEnv', 'metadata').secret(),
    ...storageParams,
  },
  rules: (rule) => [
    rule(['connection', 'accountName'], (p, ctx) => checkStorageCredential('azure-blob', p, ctx.podIdentity)),
    rule(['cloud', 'endpointSuffix'], checkCloud),
    rule(['globPattern'], (p) => checkGlob(p.globPattern)),
  ],
  derive: (p) => {
    // recursive listing is a flat listing: no delimiter; a prefix then names a "folder" ending in the delimiter.
    const delimiter = p.recursive ? '' : p.blobDelimiter;
    const prefix = p.blobPrefix !== undefined && delimiter !== '' ? p.blobPrefix + delimiter : p.blobPrefix;
    return { ...p, blobDelimiter: delimiter, blobPrefix: prefix, endpointSuffix: storageEndpointSuffix('blob', p) };
  },
  metricName: (p) => `azure-blob-${p.blobContainerName}`,
  target: (p) => ({ value: milliFromInt(p.blobCount), activation: milliFromInt(p.activationBlobCount) }),
});

/** Rejects glob patterns with unbalanced `[...]` or `{...}` (the ones gobwas/glob fails to compile). */
export function checkGlob(pattern: string | undefined): IssueResult {
  if (pattern === undefined) return undefined;
  let bracket = false;
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (bracket) bracket = c !== ']';
    else if (c === '[') bracket = true;
    else if (c === '{') braces++;
    else if (c === '}' && --braces < 0) break;
  }
  return bracket || braces !== 0 ? issue('globPattern', `"${pattern}" is not a valid glob pattern (unbalanced [ ] or { })`) : undefined;
}
