import fs from 'node:fs';
import path from 'node:path';
import { gatherSandboxFacts, sandboxProblem } from '../scripts/desktop-precheck.mjs';

export interface DesktopReadiness {
  /** Whether `npm start` would open the window here (as far as can be known without launching). */
  ready: boolean;
  electron: string | null;
  reason: string | null;
  fix: string[];
}

/** What `npm start` would find about desktop mode, for `doctor` (the launcher makes the same checks). */
export function desktopReadiness(root: string, env: NodeJS.ProcessEnv = process.env): DesktopReadiness {
  const pathFile = path.join(root, 'node_modules', 'electron', 'path.txt');
  const electron = env.PHENOBOOK_ELECTRON || (fs.existsSync(pathFile) ? path.join(root, 'node_modules', 'electron', 'dist', fs.readFileSync(pathFile, 'utf8').trim()) : null);
  if (!electron || !fs.existsSync(electron)) {
    return { ready: false, electron: null, reason: 'the Electron binary is not downloaded yet (the first `npm start` with a display downloads it)', fix: [] };
  }
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { ready: false, electron, reason: 'no display (DISPLAY and WAYLAND_DISPLAY are unset): browser mode', fix: [] };
  }
  const problem = env.PHENOBOOK_ELECTRON_PRECHECK === '0' ? null : sandboxProblem(gatherSandboxFacts({ electronBinary: electron }));
  return problem ? { ready: false, electron, reason: problem.reason, fix: problem.fix } : { ready: true, electron, reason: null, fix: [] };
}
