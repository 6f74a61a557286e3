import CRC32C from 'crc-32/crc32c';
import { ImportError } from '../../common/external-run';

// TFRecord framing, as TensorFlow writes event files: per record
//   uint64 length (LE) · uint32 masked CRC32C of those 8 bytes · data · uint32 masked CRC32C of data.

/** TensorFlow's CRC mask: rotate right by 15 and add a constant, all in uint32. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = CRC32C.buf(bytes) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/**
 * Every record's data in order. Both CRCs are checked and a record that runs past the end is an
 * error: a file cut short while being written or damaged on disk is refused, never half-read.
 */
export function* tfRecords(buffer: Uint8Array, file: string): Generator<{ data: Uint8Array; offset: number }> {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let offset = 0;
  while (offset < buffer.length) {
    if (offset + 12 > buffer.length) {
      throw new ImportError(`${file}: truncated record header at byte ${offset} (${buffer.length - offset} bytes left, 12 needed)`, file, { byteOffset: offset });
    }
    const lengthBytes = buffer.subarray(offset, offset + 8);
    if (view.getUint32(offset + 8, true) !== maskedCrc32c(lengthBytes)) {
      throw new ImportError(`${file}: record length CRC mismatch at byte ${offset}`, file, { byteOffset: offset });
    }
    const length = Number(view.getBigUint64(offset, true));
    const dataStart = offset + 12;
    if (dataStart + length + 4 > buffer.length) {
      throw new ImportError(
        `${file}: truncated record at byte ${offset}: ${length} data bytes announced, ${Math.max(0, buffer.length - dataStart - 4)} present`,
        file,
        { byteOffset: offset },
      );
    }
    const data = buffer.subarray(dataStart, dataStart + length);
    if (view.getUint32(dataStart + length, true) !== maskedCrc32c(data)) {
      throw new ImportError(`${file}: record data CRC mismatch at byte ${offset}`, file, { byteOffset: offset });
    }
    yield { data, offset };
    offset = dataStart + length + 4;
  }
}
