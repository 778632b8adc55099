import { gzipSync } from "node:zlib";

/** A text file of an archive: its path (forward slashes, relative) and its content. */
export interface ArchiveFile {
  readonly path: string;
  readonly content: string;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

function header(path: string, size: number, directory: boolean): Buffer {
  if (Buffer.byteLength(path) > 100) throw new Error(`${path}: archive paths are limited to 100 bytes`);
  const block = Buffer.alloc(BLOCK, 0);
  block.write(path, 0, "utf8");
  block.write(octal(directory ? 0o755 : 0o644, 8), 100, "ascii");
  block.write(octal(0, 8), 108, "ascii"); // uid
  block.write(octal(0, 8), 116, "ascii"); // gid
  block.write(octal(size, 12), 124, "ascii");
  block.write(octal(0, 12), 136, "ascii"); // mtime: the epoch, so equal inputs give equal archives
  block.write("        ", 148, "ascii"); // checksum placeholder
  block.write(directory ? "5" : "0", 156, "ascii");
  block.write("ustar\0", 257, "ascii");
  block.write("00", 263, "ascii");
  block.write("root", 265, "ascii");
  block.write("root", 297, "ascii");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return block;
}

/**
 * A gzipped POSIX (ustar) archive of `files`, with their directories, at the archive's
 * root. Deterministic: entries sorted, owner root, mode 644/755, mtime zero, so building
 * twice gives the same bytes.
 */
export function tarGz(files: readonly ArchiveFile[]): Uint8Array {
  const directories = new Set<string>();
  for (const file of files) {
    const parts = file.path.split("/");
    for (let i = 1; i < parts.length; i++) directories.add(`${parts.slice(0, i).join("/")}/`);
  }
  const entries = [
    ...[...directories].map((path) => ({ path, content: Buffer.alloc(0), directory: true })),
    ...files.map((f) => ({ path: f.path, content: Buffer.from(f.content, "utf8"), directory: false })),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    blocks.push(header(entry.path, entry.content.length, entry.directory));
    if (entry.content.length > 0) {
      blocks.push(entry.content, Buffer.alloc((BLOCK - (entry.content.length % BLOCK)) % BLOCK, 0));
    }
  }
  blocks.push(Buffer.alloc(BLOCK * 2, 0));
  const archive = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const block of blocks) {
    archive.set(block, offset);
    offset += block.length;
  }
  return Uint8Array.from(gzipSync(archive, { level: 9 }));
}
