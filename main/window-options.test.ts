import { describe, expect, it } from 'vitest';
import { mainWindowOptions } from './window-options';

describe('mainWindowOptions', () => {
  const prefs = mainWindowOptions('/x/preload/index.cjs').webPreferences!;

  it('isolates and sandboxes the renderer, with no Node anywhere', () => {
    expect(prefs).toMatchObject({
      preload: '/x/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('sets no option that weakens the defaults', () => {
    const risky = ['experimentalFeatures', 'enableBlinkFeatures', 'additionalArguments', 'disableDialogs'];
    for (const key of risky) expect(prefs).not.toHaveProperty(key);
  });

  it('opens at the documented 1280×800 size', () => {
    const o = mainWindowOptions('p');
    expect([o.width, o.height]).toEqual([1280, 800]);
  });
});
