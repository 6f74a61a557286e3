import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedGpuProbe, gpuProbeCacheFile, gpuProbeKey, type ProbeOutcome } from './gpu-probe';

describe('cachedGpuProbe', () => {
  let dir: string;
  let file: string;
  let probes: number;
  const probe = (outcome: ProbeOutcome) => () => {
    probes++;
    return outcome;
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-gpu-probe-'));
    file = path.join(dir, 'cache', 'gpu-probe.json');
    probes = 0;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('probes once per host: later runs (each its own process) reuse the answer', () => {
    const gpu = probe({ gpu: true, detail: '/device:GPU:0 with 80 GB memory' });
    for (let run = 0; run < 5; run++) expect(cachedGpuProbe(file, 'key-a', gpu)).toEqual({ gpu: true, detail: '/device:GPU:0 with 80 GB memory' });
    expect(probes).toBe(1);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ key: 'key-a', gpu: true });
  });

  it('probes again when the driver or library changes (another key)', () => {
    cachedGpuProbe(file, 'driver 550', probe({ gpu: false, detail: 'no GPU op' }));
    expect(cachedGpuProbe(file, 'driver 560', probe({ gpu: true, detail: 'GPU:0' })).gpu).toBe(true);
    expect(cachedGpuProbe(file, 'driver 560', probe({ gpu: false, detail: 'never asked' })).gpu).toBe(true);
    expect(probes).toBe(2);
  });

  it('keeps no answer the probe could not give (a timeout), so the next run asks again', () => {
    expect(cachedGpuProbe(file, 'k', probe({ gpu: null, detail: 'timed out' })).gpu).toBeNull();
    expect(fs.existsSync(file)).toBe(false);
    expect(cachedGpuProbe(file, 'k', probe({ gpu: true, detail: 'GPU:0' })).gpu).toBe(true);
    expect(probes).toBe(2);
  });

  it('treats a corrupt cache file as absent and replaces it', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"key": "k", "gpu": "yes"');
    expect(cachedGpuProbe(file, 'k', probe({ gpu: false, detail: 'none' })).gpu).toBe(false);
    expect(probes).toBe(1);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).gpu).toBe(false);
  });

  it('keys on the things that change the answer and lives in the cache folder', () => {
    expect(gpuProbeCacheFile({ PHENOBOOK_CACHE_DIR: '/tmp/pb-cache' })).toBe('/tmp/pb-cache/gpu-probe.json');
    const a = JSON.parse(gpuProbeKey({ CUDA_VISIBLE_DEVICES: '0' })) as Record<string, unknown>;
    expect(Object.keys(a).sort()).toEqual(['devices', 'driver', 'host', 'libraryPath', 'tfjsNodeGpu']);
    expect(gpuProbeKey({ CUDA_VISIBLE_DEVICES: '0' })).not.toBe(gpuProbeKey({ CUDA_VISIBLE_DEVICES: '1' }));
  });
});
