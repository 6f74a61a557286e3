/**
 * What the native TensorFlow.js packages (4.22) can do on each OS, so the backend ladder, `doctor`
 * and the README say the same true thing. tfjs-node(-gpu) download libtensorflow and a prebuilt
 * binding at install time; where those archives or libraries do not exist the package fails to
 * install (it is optional, so npm drops it) or loads something other than its name suggests.
 */
export type NativeBackend = 'tfjs-node-gpu' | 'tfjs-node';

export interface NativeSupport {
  /** Set when the backend cannot work on this OS at all: it is not even tried. */
  skip: string | null;
  /** Added to a load failure's reason: what it needs here, or the workaround. */
  help: string | null;
}

export const GPU_REQUIREMENTS =
  'tfjs-node-gpu 4.22 needs Linux x86-64 with an NVIDIA driver, CUDA 11.2 and cuDNN 8.1 (libcudart.so.11.0, libcudnn.so.8) on the library path';

const WINDOWS_GPU =
  'on Windows, tfjs-node-gpu 4.22 cannot install: its prebuilt archives are no longer downloadable (HTTP 404). Use WSL2 with NVIDIA\'s CUDA driver for WSL and run Phenobook inside it (the Linux path), or train on a Linux GPU machine over SSH';
const WINDOWS_CPU =
  'on Windows, tfjs-node 4.22\'s prebuilt binding is no longer downloadable (HTTP 404) and, where its install builds one instead, it copies tensorflow.dll beside the wrong lib/napi-v* folder. Fix by hand: copy node_modules/@tensorflow/tfjs-node/deps/lib/tensorflow.dll into the lib/napi-v* folder that holds tfjs_binding.node; otherwise the wasm backend trains';

export function nativeSupport(name: NativeBackend, platform: NodeJS.Platform, arch: string): NativeSupport {
  if (name === 'tfjs-node-gpu') {
    if (platform === 'darwin') {
      return {
        skip: 'macOS has no CUDA: tfjs-node-gpu installs the CPU build of libtensorflow there (it would only repeat tfjs-node), so it is not tried',
        help: null,
      };
    }
    if (platform === 'win32') return { skip: null, help: WINDOWS_GPU };
    if (platform === 'linux' && arch !== 'x64') return { skip: `tfjs-node-gpu 4.22 has GPU builds for Linux x86-64 only (this is ${arch})`, help: null };
    return { skip: null, help: GPU_REQUIREMENTS };
  }
  if (platform === 'win32') return { skip: null, help: WINDOWS_CPU };
  return { skip: null, help: null };
}

/** Steps for `doctor` when no GPU is in use, for this OS. */
export function gpuHelp(platform: NodeJS.Platform, arch: string): string[] {
  if (platform === 'darwin') {
    return [
      'macOS has no CUDA, so TensorFlow.js has no GPU backend here; runs train on tfjs-node (CPU) when it installed, else wasm.',
      'For GPU training, run Phenobook on a Linux NVIDIA machine and open it over SSH (`npm start -- --web`), or sweep on a SLURM cluster.',
    ];
  }
  if (platform === 'win32') return [`Windows: ${WINDOWS_GPU}.`];
  if (platform === 'linux' && arch !== 'x64') return [`tfjs-node-gpu 4.22 has GPU builds for Linux x86-64 only (this is ${arch}).`];
  return [
    GPU_REQUIREMENTS,
    'Run `npm install` on that machine with access to the internet: @tensorflow/tfjs-node-gpu is an optional dependency allowed to run its install script (package.json "allowScripts"), which downloads libtensorflow with GPU support.',
    'Check `nvidia-smi` works and that LD_LIBRARY_PATH includes the CUDA 11.2 and cuDNN 8.1 lib64 folders.',
    'Phenobook sets TF_FORCE_GPU_ALLOW_GROWTH=true so TensorFlow does not reserve all GPU memory.',
    'Then run `npx phenobook doctor` again: it should say "Runs train on: tfjs-node-gpu (GPU)".',
  ];
}
