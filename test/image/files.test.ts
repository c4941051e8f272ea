// Ignore files, COPY resolution, image references and the tar writer (read back with the system tar).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseChallenge } from '../../src/image/auth.js';
import { contextEntries } from '../../src/image/context.js';
import { resolveCopies } from '../../src/image/copies.js';
import { ignoreMatcher } from '../../src/image/ignore.js';
import { parseImageReference, registryBaseUrl } from '../../src/image/reference.js';
import { tarStream, type TarEntry } from '../../src/image/tar.js';
import { write } from './fixtures.js';

describe('ignore files', () => {
  it.each([
    ['docker', 'local.settings.json', 'local.settings.json', true],
    ['docker', 'local.settings.json', 'sub/local.settings.json', false],
    ['docker', '**/*.map', 'a/b/c.js.map', true],
    ['docker', 'node_modules', 'node_modules/x/index.js', true],
    ['docker', '*.md\n!README.md', 'README.md', false],
    ['docker', '*.md\n!README.md', 'CHANGES.md', true],
    ['gitignore', '*.ts', 'src/functions/hello.ts', true],
    ['gitignore', 'node_modules/@types/', 'node_modules/@types/node/index.d.ts', true],
    ['gitignore', 'test', 'test/a.js', true],
    ['gitignore', '/test', 'src/test', false],
    ['gitignore', '.git*', '.gitignore', true],
  ] as const)('%s "%s" on %s → %s', (style, text, path, expected) => {
    expect(ignoreMatcher([{ text, style }]).ignores(path, false)).toBe(expected);
  });
});

describe('COPY resolution', () => {
  const root = mkdtempSync(join(tmpdir(), 'tide-copy-'));
  write(root, { 'package.json': '{}', 'package-lock.json': '{}', 'src/a.js': 'a', 'src/sub/b.js': 'b', 'local.settings.json': '{}' });
  const entries = contextEntries(root, ignoreMatcher([{ text: 'local.settings.json', style: 'docker' }]));
  const paths = (sources: string[], dest: string) => [...resolveCopies([{ sources, dest, uid: 0, gid: 0, line: 1 }], entries, 'Dockerfile').keys()].sort();

  it.each([
    [['package.json'], '/app/package.json', ['app/package.json']],
    [['package.json'], '/app/renamed.json', ['app/renamed.json']],
    [['package*.json'], '/app/', ['app/package-lock.json', 'app/package.json']],
    [['src'], '/app/', ['app/a.js', 'app/sub', 'app/sub/b.js']],
    [['.'], '/app/', ['app/package-lock.json', 'app/package.json', 'app/src', 'app/src/a.js', 'app/src/sub', 'app/src/sub/b.js']],
  ])('COPY %j %s', (sources, dest, expected) => {
    expect(paths(sources, dest)).toEqual(expected);
  });

  it('an ignored or missing source and a source outside the app are errors naming the line', () => {
    expect(() => paths(['local.settings.json'], '/app/')).toThrow(/Dockerfile:1: COPY source "local.settings.json" is not in the app folder \(or .dockerignore\/.funcignore excludes it\)/);
    expect(() => paths(['../x'], '/app/')).toThrow(/outside the app folder/);
  });
});

describe('image references', () => {
  it.each([
    ['localhost:5000/hello:latest', { registry: 'localhost:5000', repository: 'hello', tag: 'latest' }],
    ['127.0.0.1:5000/a/b', { registry: '127.0.0.1:5000', repository: 'a/b', tag: 'latest' }],
    ['node:20', { registry: 'docker.io', repository: 'library/node', tag: '20' }],
    ['ghcr.io/tide-dev/tide-functions-node:0.1.0', { registry: 'ghcr.io', repository: 'tide-dev/tide-functions-node', tag: '0.1.0' }],
  ])('%s', (text, expected) => {
    expect(parseImageReference(text)).toEqual(expected);
  });

  it('loopback registries use plain HTTP; others HTTPS unless insecure', () => {
    expect(registryBaseUrl('localhost:5000', false)).toBe('http://localhost:5000');
    expect(registryBaseUrl('docker.io', false)).toBe('https://registry-1.docker.io');
    expect(registryBaseUrl('registry.lan:5000', true)).toBe('http://registry.lan:5000');
    expect(() => parseImageReference('Hello:latest')).toThrow(/lowercase/);
  });

  it('reads bearer challenges', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/node:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/node:pull' },
    });
  });
});

describe('tar writer', () => {
  async function archive(entries: TarEntry[]): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of tarStream(entries)) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  it('writes what GNU tar reads back: long names, modes, links, ownership 0, mtime 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tide-tar-'));
    const long = `${'deep/'.repeat(30)}file-ü.txt`;
    const bytes = await archive([
      { path: 'bin', type: 'directory', mode: 0o755, uid: 0, gid: 0 },
      { path: 'bin/run', type: 'file', mode: 0o755, uid: 0, gid: 0, data: Buffer.from('#!/bin/sh\n') },
      { path: 'link', type: 'symlink', mode: 0o777, uid: 0, gid: 0, linkname: 'bin/run' },
      { path: long, type: 'file', mode: 0o644, uid: 1000, gid: 1000, data: Buffer.from('x'.repeat(700)) },
    ]);
    expect(bytes.length % 512).toBe(0);
    writeFileSync(join(dir, 'a.tar'), bytes);
    const listing = execFileSync('tar', ['--numeric-owner', '-tvf', join(dir, 'a.tar')], { encoding: 'utf8' });
    expect(listing).toMatch(/^drwxr-xr-x 0\/0 +0 1970-01-01 00:00 bin\/$/m);
    expect(listing).toMatch(/^-rwxr-xr-x 0\/0 +10 1970-01-01 00:00 bin\/run$/m);
    expect(listing).toMatch(/^lrwxrwxrwx 0\/0 +0 1970-01-01 00:00 link -> bin\/run$/m);
    expect(listing).toMatch(new RegExp(`^-rw-r--r-- 1000/1000 +700 1970-01-01 00:00 ${long}$`, 'm'));
    execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', dir]);
    expect(readFileSync(join(dir, long), 'utf8')).toBe('x'.repeat(700));
    expect(statSync(join(dir, 'bin/run')).mode & 0o777).toBe(0o755);
  });

  it('the same entries give the same bytes', async () => {
    const entries: TarEntry[] = [{ path: 'a', type: 'file', mode: 0o644, uid: 0, gid: 0, data: Buffer.from('a') }];
    expect((await archive(entries)).equals(await archive(entries))).toBe(true);
  });
});
