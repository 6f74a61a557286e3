import { describe, expect, it } from 'vitest';
import { dataUrlBytes } from './figure-export';

describe('dataUrlBytes', () => {
  it('decodes base64 payloads byte for byte', () => {
    const bytes = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const url = `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;
    expect(dataUrlBytes(url)).toEqual({ mime: 'image/png', bytes });
  });

  it('decodes percent-encoded text as UTF-8', () => {
    const r = dataUrlBytes(`data:image/svg+xml;charset=utf-8,${encodeURIComponent('<svg><text>μ ± σ</text></svg>')}`);
    expect(r.mime).toBe('image/svg+xml');
    expect(new TextDecoder().decode(r.bytes)).toBe('<svg><text>μ ± σ</text></svg>');
  });

  it('refuses anything that is not a data: URL', () => {
    expect(() => dataUrlBytes('blob:http://127.0.0.1/abc')).toThrow('not a data: URL');
  });
});
