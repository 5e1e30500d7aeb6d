// The tar.gz container of a bundle archive, both ways, in a few lines of the ustar format
// (POSIX.1-1988) rather than a dependency:
// - writing is deterministic: files in the given order, mode 0644, owner 0, one mtime (the
//   build's SOURCE_DATE_EPOCH or 0), so one input gives one byte-identical archive;
// - reading is defensive, because the bytes come from a registry or a URL: a size limit on the
//   unpacked tar (a gzip bomb stops there), names normalised as OPA does ("/a", "./a" → "a"), and
//   refused when they leave the bundle ("..") or repeat, links and devices refused, directories
//   skipped. Long names (pax `path` records, GNU 'L' entries) are read.
import { gunzipSync, gzipSync } from 'node:zlib';
import { ArtifactError } from './artifact-error';

const BLOCK = 512;
/** Default limit of the unpacked tar: OPA's default bundle size limit is 1 GiB; ours is smaller. */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

export interface TarFile {
  name: string;
  data: Buffer;
}

/** A gzipped ustar archive of the files, names written as OPA writes them ("/name"). */
export function writeTarGz(files: readonly TarFile[], mtime = 0): Buffer {
  const blocks: Buffer[] = [];
  for (const f of files) {
    blocks.push(...entry(`/${f.name.replace(/^\/+/, '')}`, f.data, mtime));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(blocks), { level: 9 });
}

function entry(name: string, data: Buffer, mtime: number): Buffer[] {
  const out: Buffer[] = [];
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > 100) {
    // A pax extended header carries the long name.
    const record = paxRecord('path', name);
    out.push(header('././@PaxHeader', record.length, mtime, 'x'), pad(record));
  }
  out.push(header(nameBytes.length > 100 ? name.slice(-99) : name, data.length, mtime, '0'));
  out.push(pad(data));
  return out;
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len++;
  return Buffer.from(`${len}${body}`, 'utf8');
}

function header(name: string, size: number, mtime: number, type: string): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  h.write(`${Math.floor(mtime).toString(8).padStart(11, '0')}\0`, 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum counted as spaces
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}

/** The regular files of a tar.gz by normalised name, or an ArtifactError saying what is wrong. */
export function readTarGz(
  archive: Uint8Array,
  source: string,
  maxBytes = DEFAULT_MAX_BYTES,
): Map<string, Buffer> {
  let tar: Buffer;
  try {
    tar = gunzipSync(archive, { maxOutputLength: maxBytes });
  } catch (thrown) {
    const tooBig = (thrown as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new ArtifactError(
      'archive-invalid',
      source,
      tooBig
        ? `unpacks to more than ${maxBytes} bytes`
        : `not a gzip archive (${(thrown as Error).message})`,
      { cause: thrown },
    );
  }
  const files = new Map<string, Buffer>();
  let longName: string | undefined;
  let at = 0;
  for (; at + BLOCK <= tar.length;) {
    const h = tar.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) return files; // end of archive
    if (!checksumOk(h)) {
      throw new ArtifactError('archive-invalid', source, `broken tar header at byte ${at}`);
    }
    const size = parseInt(text(h, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(h[156] ?? 0);
    const start = at + BLOCK;
    if (!Number.isSafeInteger(size) || start + size > tar.length) {
      throw new ArtifactError('archive-invalid', source, `truncated tar entry at byte ${at}`);
    }
    const data = tar.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1] ?? longName;
      continue;
    }
    if (type === 'g') continue; // pax global header
    if (type === 'L') {
      longName = text(data, 0, data.length);
      continue;
    }
    const prefix = text(h, 257, 6) === 'ustar' ? text(h, 345, 155) : '';
    const raw = longName ?? (prefix ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100));
    longName = undefined;
    if (type === '5') continue; // directory
    if (type !== '0' && type !== '\0' && type !== '7') {
      throw new ArtifactError(
        'archive-invalid',
        source,
        `${raw}: not a regular file (tar type '${type}')`,
      );
    }
    const name = normaliseName(raw, source);
    if (files.has(name)) {
      throw new ArtifactError('archive-invalid', source, `${name} appears twice`);
    }
    files.set(name, Buffer.from(data)); // a copy: the tar buffer is not kept alive
  }
  throw new ArtifactError('archive-invalid', source, 'the tar archive has no end marker');
}

/** "/a/b", "./a/b" → "a/b"; a name with "..", an empty segment or none is refused. */
export function normaliseName(raw: string, source: string): string {
  const name = raw.replace(/^(\.?\/)+/, '');
  const segments = name.split('/');
  if (
    name === '' ||
    segments.some((s) => s === '..' || s === '' || s === '.') ||
    name.includes('\\')
  ) {
    throw new ArtifactError(
      'archive-invalid',
      source,
      `${JSON.stringify(raw)}: a file name outside the bundle`,
    );
  }
  return name;
}

function checksumOk(h: Buffer): boolean {
  const stored = parseInt(text(h, 148, 8).trim() || 'x', 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return stored === sum;
}

function text(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}
