import { open } from 'node:fs/promises';
// The package has no exports map: Node's ESM loader (the built app) needs the file's extension.
import CRC32C from 'crc-32/crc32c.js';
import { ImportError } from '../../common/external-run';

// TFRecord framing, as TensorFlow writes event files: per record
//   uint64 length (LE) · uint32 masked CRC32C of those 8 bytes · data · uint32 masked CRC32C of data.

/** TensorFlow's CRC mask: rotate right by 15 and add a constant, all in uint32. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = CRC32C.buf(bytes) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** How much of the file is read at a time: event files with images run to gigabytes. */
const CHUNK_BYTES = 1 << 20;

/**
 * Every record's data in order, read in chunks. Both CRCs are checked and a record that runs past
 * the end is an error: a file cut short while being written or damaged on disk is refused, never
 * half-read. Each read fills a new buffer, so the data handed out (and protobuf views of it) stays valid.
 */
export async function* tfRecords(file: string): AsyncGenerator<{ data: Uint8Array; offset: number }> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    let buffer = Buffer.alloc(0);
    let bufferStart = 0; // file offset of buffer[0]
    /** Makes buffer hold the n bytes from file offset `at` (fewer only at the end of the file). */
    const fill = async (at: number, n: number): Promise<void> => {
      if (at >= bufferStart && at + n <= bufferStart + buffer.length) return;
      const want = Math.min(Math.max(n, CHUNK_BYTES), size - at);
      const next = Buffer.alloc(Math.max(want, 0));
      let got = 0;
      while (got < next.length) {
        const { bytesRead } = await handle.read(next, got, next.length - got, at + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      buffer = next.subarray(0, got);
      bufferStart = at;
    };
    const bytesAt = (at: number, n: number): Buffer => buffer.subarray(at - bufferStart, at - bufferStart + n);

    let offset = 0;
    while (offset < size) {
      await fill(offset, 12);
      if (offset + 12 > size) {
        throw new ImportError(`${file}: truncated record header at byte ${offset} (${size - offset} bytes left, 12 needed)`, file, { byteOffset: offset });
      }
      const header = bytesAt(offset, 12);
      if (header.readUInt32LE(8) !== maskedCrc32c(header.subarray(0, 8))) {
        throw new ImportError(`${file}: record length CRC mismatch at byte ${offset}`, file, { byteOffset: offset });
      }
      const length = Number(header.readBigUInt64LE(0));
      const dataStart = offset + 12;
      if (dataStart + length + 4 > size) {
        throw new ImportError(
          `${file}: truncated record at byte ${offset}: ${length} data bytes announced, ${Math.max(0, size - dataStart - 4)} present`,
          file,
          { byteOffset: offset },
        );
      }
      await fill(dataStart, length + 4);
      const data = bytesAt(dataStart, length);
      if (bytesAt(dataStart + length, 4).readUInt32LE(0) !== maskedCrc32c(data)) {
        throw new ImportError(`${file}: record data CRC mismatch at byte ${offset}`, file, { byteOffset: offset });
      }
      yield { data, offset };
      offset = dataStart + length + 4;
    }
  } finally {
    await handle.close();
  }
}
