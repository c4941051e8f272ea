// A deterministic tar writer (POSIX ustar, PAX headers for long or non-ASCII names): entries in the
// order given (callers sort), mtime 0, uid/gid as given, no user or group names, so the same files give
// the same bytes and therefore the same layer digest on every machine.
import { open } from 'node:fs/promises';

export interface TarEntry {
  /** Path inside the archive, no leading slash; directories without a trailing slash. */
  readonly path: string;
  readonly type: 'file' | 'directory' | 'symlink';
  /** Permission bits (0o755, 0o644). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Files: size in bytes (checked against what is read). */
  readonly size?: number;
  /** Files: where to read the content, or the content itself. */
  readonly source?: string;
  readonly data?: Uint8Array;
  /** Symlinks: the target as stored. */
  readonly linkname?: string;
}

const BLOCK = 512;
const READ_CHUNK = 1 << 20;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function fits(text: string, bytes: number): boolean {
  return Buffer.byteLength(text) <= bytes && /^[\x20-\x7e]*$/.test(text);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  // The length prefix counts its own digits.
  const base = Buffer.byteLength(body);
  let length = base + 1;
  while (length !== base + String(length).length) length = base + String(length).length;
  return `${length}${body}`;
}

function header(name: string, typeflag: string, mode: number, uid: number, gid: number, size: number, linkname: string): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(mode, 8), 100, 'ascii');
  block.write(octal(uid, 8), 108, 'ascii');
  block.write(octal(gid, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(0, 12), 136, 'ascii');
  block.write(typeflag, 156, 'ascii');
  block.write(linkname, 157, 100, 'utf8');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

function* entryHeaders(entry: TarEntry, size: number): Generator<Buffer> {
  const name = entry.type === 'directory' ? `${entry.path}/` : entry.path;
  const linkname = entry.linkname ?? '';
  let pax = '';
  if (!fits(name, 100)) pax += paxRecord('path', name);
  if (!fits(linkname, 100)) pax += paxRecord('linkpath', linkname);
  if (pax !== '') {
    const body = Buffer.from(pax, 'utf8');
    yield header('PaxHeader', 'x', 0o644, 0, 0, body.length, '');
    yield body;
    yield padding(body.length);
  }
  const typeflag = entry.type === 'file' ? '0' : entry.type === 'directory' ? '5' : '2';
  // The ustar fields keep an ASCII stand-in when the PAX header carries the real name.
  const short = (text: string): string => (fits(text, 100) ? text : text.replace(/[^\x20-\x7e]/g, '_').slice(-99));
  yield header(short(name), typeflag, entry.mode, entry.uid, entry.gid, size, short(linkname));
}

async function* fileContent(path: string, size: number): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    let done = 0;
    while (done < size) {
      const chunk = Buffer.alloc(Math.min(READ_CHUNK, size - done));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, done);
      if (bytesRead === 0) throw new Error(`${path} shrank while it was being packed (expected ${size} bytes)`);
      done += bytesRead;
      yield bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead);
    }
    const probe = Buffer.alloc(1);
    if ((await handle.read(probe, 0, 1, size)).bytesRead !== 0) throw new Error(`${path} grew while it was being packed (expected ${size} bytes)`);
  } finally {
    await handle.close();
  }
}

/** The archive's bytes, in chunks, for the entries in the given order. */
export async function* tarStream(entries: Iterable<TarEntry>): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    const size = entry.type === 'file' ? (entry.data?.length ?? entry.size ?? 0) : 0;
    yield* entryHeaders(entry, size);
    if (entry.type !== 'file') continue;
    if (entry.data !== undefined) yield Buffer.from(entry.data);
    else if (entry.source !== undefined) yield* fileContent(entry.source, size);
    else if (size !== 0) throw new Error(`tar entry ${entry.path} has neither data nor source`);
    yield padding(size);
  }
  yield Buffer.alloc(BLOCK * 2);
}
