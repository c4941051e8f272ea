// A streaming tar reader for image layers: ustar headers, PAX `path`/`linkpath`/`size` records and GNU
// long names (what Docker, BuildKit and tide's own writer produce). Only the content of the entries
// the caller wants is held in memory; the rest is skipped as it streams past, so a large base layer
// costs no memory.

export interface TarReadEntry {
  /** Path without a leading `./` or `/`. */
  readonly path: string;
  readonly type: 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';
  readonly mode: number;
  readonly size: number;
  readonly linkname: string;
  /** The content, for files the `want` predicate accepted. */
  readonly data?: Buffer;
}

const BLOCK = 512;

function text(block: Buffer, offset: number, length: number): string {
  const raw = block.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
}

function number(block: Buffer, offset: number, length: number): number {
  const first = block[offset] ?? 0;
  if (first & 0x80) {
    // base-256 (GNU) for sizes past 8 GiB
    let value = 0;
    for (let i = 1; i < length; i++) value = value * 256 + (block[offset + i] ?? 0);
    return value;
  }
  const digits = text(block, offset, length).trim();
  return digits === '' ? 0 : parseInt(digits, 8);
}

function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const length = parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = data.subarray(space + 1, pos + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += length;
  }
  return out;
}

const TYPES: Record<string, TarReadEntry['type']> = { '0': 'file', '\0': 'file', '': 'file', '7': 'file', '5': 'directory', '2': 'symlink', '1': 'hardlink' };

/** A byte queue over an async stream of chunks. */
class Bytes {
  private chunks: Buffer[] = [];
  private length = 0;
  private done = false;
  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** Ensures `n` bytes are buffered; false at the end of the stream before that. */
  private async fill(n: number): Promise<boolean> {
    while (this.length < n && !this.done) {
      const next = await this.source.next();
      if (next.done === true) this.done = true;
      else {
        const chunk = Buffer.from(next.value);
        this.chunks.push(chunk);
        this.length += chunk.length;
      }
    }
    return this.length >= n;
  }

  async take(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) return undefined;
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.length -= n;
    return all.subarray(0, n);
  }

  /** Drops `n` bytes without keeping them. */
  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.length === 0 && !(await this.fill(1))) throw new Error('the tar stream ends inside an entry');
      const first = this.chunks[0] as Buffer;
      if (first.length <= left) {
        this.chunks.shift();
        this.length -= first.length;
        left -= first.length;
      } else {
        this.chunks[0] = first.subarray(left);
        this.length -= left;
        left = 0;
      }
    }
  }
}

/** Reads a tar stream; `want(path)` says which files' content to keep. */
export async function* readTar(source: AsyncIterable<Uint8Array>, want: (path: string) => boolean): AsyncGenerator<TarReadEntry> {
  const bytes = new Bytes(source[Symbol.asyncIterator]());
  let pax = new Map<string, string>();
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const header = await bytes.take(BLOCK);
    if (header === undefined || header.every((b) => b === 0)) return;
    const flag = String.fromCharCode(header[156] ?? 0);
    const size = pax.has('size') ? Number(pax.get('size')) : number(header, 124, 12);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'x' || flag === 'L' || flag === 'K') {
      const data = (await bytes.take(padded))?.subarray(0, size);
      if (data === undefined) throw new Error('the tar stream ends inside a header');
      if (flag === 'x') pax = paxRecords(data);
      else if (flag === 'L') longName = text(data, 0, data.length);
      else longLink = text(data, 0, data.length);
      continue;
    }
    if (flag === 'g') {
      await bytes.skip(padded);
      continue;
    }
    const prefix = text(header, 345, 155);
    const name = pax.get('path') ?? longName ?? (prefix !== '' ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    const path = name.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
    const type = TYPES[flag] ?? 'other';
    const entry = { path, type, mode: number(header, 100, 8), size, linkname: pax.get('linkpath') ?? longLink ?? text(header, 157, 100) };
    pax = new Map();
    longName = undefined;
    longLink = undefined;
    if (type === 'file' && want(path)) {
      const data = await bytes.take(padded);
      if (data === undefined) throw new Error(`the tar stream ends inside ${path}`);
      yield { ...entry, data: data.subarray(0, size) };
    } else {
      await bytes.skip(padded);
      yield entry;
    }
  }
}
