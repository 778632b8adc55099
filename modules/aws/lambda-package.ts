import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** CRC-32 (IEEE), as ZIP entries carry it. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The fields a file's local header and its central directory entry share, from "version
 * needed" on: ZIP 2.0, UTF-8 names, stored, dated 1980-01-01 00:00 (the format's first
 * date), the CRC and sizes, the name's length, no extra field.
 */
function entryFields(header: Buffer, at: number, crc: number, size: number, nameLength: number): void {
  header.writeUInt16LE(20, at);
  header.writeUInt16LE(0x0800, at + 2);
  header.writeUInt16LE(0, at + 4);
  header.writeUInt16LE(0, at + 6);
  header.writeUInt16LE((0 << 9) | (1 << 5) | 1, at + 8);
  header.writeUInt32LE(crc, at + 10);
  header.writeUInt32LE(size, at + 14);
  header.writeUInt32LE(size, at + 18);
  header.writeUInt16LE(nameLength, at + 22);
  header.writeUInt16LE(0, at + 24);
}

/** A Lambda deployment package: where its zip is, and the base64 SHA-256 AWS computes of it. */
export interface LambdaPackage {
  readonly path: string;
  readonly sha256: string;
}

/**
 * A ZIP archive of `files` (name → content), stored without compression, every date and
 * attribute fixed: the same files always give the same bytes, so the package's hash (and
 * the function) changes only when the code does.
 */
export function zipArchive(files: Readonly<Record<string, string | Uint8Array>>): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const data: Uint8Array = typeof content === "string" ? new Uint8Array(Buffer.from(content, "utf8")) : content;
    const fileName = new Uint8Array(Buffer.from(name, "utf8"));
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    entryFields(local, 4, crc, data.length, fileName.length);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, 2.0
    entryFields(central, 6, crc, data.length, fileName.length);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // a regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(new Uint8Array(local), fileName, data);
    centrals.push(new Uint8Array(central), fileName);
    offset += local.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, new Uint8Array(directory), new Uint8Array(end)]));
}

/**
 * The deployment package of `files`, written once per content into the system's temporary
 * directory (a `TerraformAsset` copies it into the stack's output).
 */
export function lambdaPackage(name: string, files: Readonly<Record<string, string | Uint8Array>>): LambdaPackage {
  const zip = zipArchive(files);
  const sha256 = createHash("sha256").update(zip).digest("base64");
  const dir = join(tmpdir(), "cloudtiers-lambda-packages", createHash("sha256").update(zip).digest("hex").slice(0, 16));
  const path = join(dir, `${name}.zip`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    // Written whole, then moved: a concurrent synth never reads half a file.
    const partial = `${path}.${process.pid}`;
    writeFileSync(partial, zip);
    renameSync(partial, path);
  }
  return { path, sha256 };
}
