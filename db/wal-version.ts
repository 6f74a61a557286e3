import fs from 'node:fs';

/**
 * The schema version a database would have once opened: `user_version` from the newest committed
 * copy of page 1 in its write-ahead log, read from the bytes without opening the database (an
 * open, even read-only, may replay, checkpoint or delete the WAL and create -shm). Frames count
 * only while their salts match the WAL header and their cumulative checksums hold, up to the last
 * commit frame, as SQLite itself recovers a WAL (https://sqlite.org/fileformat2.html#walformat).
 */

const WAL_HEADER = 32;
const FRAME_HEADER = 24;
const MAGIC_LE = 0x377f0682;
const MAGIC_BE = 0x377f0683;
/** user_version in the database header (page 1). */
const USER_VERSION_OFFSET = 60;

type Sums = [number, number];

/** SQLite's WAL checksum over `data` (a multiple of 8 bytes), continuing from `sums`. */
function walChecksum(data: Buffer, bigEndian: boolean, sums: Sums): Sums {
  let [s0, s1] = sums;
  for (let i = 0; i < data.length; i += 8) {
    const x0 = bigEndian ? data.readUInt32BE(i) : data.readUInt32LE(i);
    const x1 = bigEndian ? data.readUInt32BE(i + 4) : data.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}

/** The committed user_version in `file`-wal, or null when there is no WAL or it holds no committed page 1. */
export function readWalUserVersion(file: string): number | null {
  const walPath = `${file}-wal`;
  let fd: number;
  try {
    fd = fs.openSync(walPath, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size < WAL_HEADER) return null;
    const header = Buffer.alloc(WAL_HEADER);
    fs.readSync(fd, header, 0, WAL_HEADER, 0);
    const magic = header.readUInt32BE(0);
    if (magic !== MAGIC_LE && magic !== MAGIC_BE) return null;
    const bigEndian = magic === MAGIC_BE;
    const pageSize = header.readUInt32BE(8) === 1 ? 65536 : header.readUInt32BE(8);
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return null;
    const salt1 = header.readUInt32BE(16);
    const salt2 = header.readUInt32BE(20);
    let sums = walChecksum(header.subarray(0, 24), bigEndian, [0, 0]);
    if (sums[0] !== header.readUInt32BE(24) || sums[1] !== header.readUInt32BE(28)) return null;

    const frame = Buffer.alloc(FRAME_HEADER + pageSize);
    let committed: number | null = null;
    /** Page 1 as the open transaction last wrote it. */
    let pending: number | null = null;
    for (let offset = WAL_HEADER; offset + frame.length <= size; offset += frame.length) {
      if (fs.readSync(fd, frame, 0, frame.length, offset) < frame.length) break;
      if (frame.readUInt32BE(8) !== salt1 || frame.readUInt32BE(12) !== salt2) break;
      sums = walChecksum(frame.subarray(0, 8), bigEndian, sums);
      sums = walChecksum(frame.subarray(FRAME_HEADER), bigEndian, sums);
      if (sums[0] !== frame.readUInt32BE(16) || sums[1] !== frame.readUInt32BE(20)) break;
      if (frame.readUInt32BE(0) === 1) pending = frame.readUInt32BE(FRAME_HEADER + USER_VERSION_OFFSET);
      // A commit frame (database size after commit is set) makes the transaction's pages count.
      if (frame.readUInt32BE(4) !== 0) {
        if (pending !== null) committed = pending;
        pending = null;
      }
    }
    return committed;
  } finally {
    fs.closeSync(fd);
  }
}
