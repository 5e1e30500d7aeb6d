// Reads regular files out of a .tar.gz, here the bundle `opa build` writes (/policy.wasm,
// /data.json, the sources, /.manifest). A few lines of the ustar format (POSIX.1-1988, with
// the long names of pax path records and GNU 'L' entries) instead of a dependency or a `tar`
// child process.
import { gunzipSync } from 'node:zlib';

const BLOCK = 512;

/** The regular files of the archive by name, leading "/" and "./" removed. */
export function tarGzFiles(archive: Buffer): Map<string, Buffer> {
  const tar = gunzipSync(archive);
  const files = new Map<string, Buffer>();
  let longName: string | undefined;
  for (let at = 0; at + BLOCK <= tar.length;) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break; // end of archive
    const size = parseInt(text(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const data = tar.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1] ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = text(data, 0, data.length);
      continue;
    }
    // The name prefix field is POSIX ustar's ("ustar\0"); GNU tar ("ustar  ") keeps times there.
    const prefix = text(header, 257, 6) === 'ustar' ? text(header, 345, 155) : '';
    const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = undefined;
    if (type === '0' || type === '\0') files.set(name.replace(/^(\.?\/)+/, ''), data);
  }
  return files;
}

function text(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}
