import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gatherSandboxFacts, sandboxProblem, type SandboxFacts } from './desktop-precheck.mjs';

const BIN = '/home/ada/phenobook/node_modules/electron/dist/electron';
const HELPER = '/home/ada/phenobook/node_modules/electron/dist/chrome-sandbox';

/** Ubuntu 24.04 after `npm install`: AppArmor restricts user namespaces, the helper is not SUID. */
const ubuntu2404: SandboxFacts = {
  platform: 'linux',
  uid: 1000,
  apparmorRestrict: '1\n',
  unprivilegedUsernsClone: null,
  maxUserNamespaces: '63382\n',
  sandboxHelper: { uid: 1000, mode: 0o100755 },
  sandboxHelperPath: HELPER,
  electronBinary: BIN,
  apparmorProfilesGrantingUserns: [],
};

describe('sandboxProblem', () => {
  it('predicts the Ubuntu ≥ 23.10 abort and gives the exact commands, the SUID fix first', () => {
    const p = sandboxProblem(ubuntu2404);
    expect(p?.reason).toBe(
      "Electron's sandbox cannot start: AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1, the default since Ubuntu 23.10), " +
        `and ${HELPER} is not owned by root with mode 4755 (owner uid 1000, mode 755)`,
    );
    expect(p?.fix[0]).toBe(`Give Electron's sandbox helper the rights it needs (once per install of the electron package): sudo chown root:root ${HELPER} && sudo chmod 4755 ${HELPER}`);
    expect(p?.fix[1]).toContain(`profile phenobook-electron ${BIN} flags=(unconfined) {\\n  userns,\\n}`);
    expect(p?.fix[1]).toContain('sudo apparmor_parser -r /etc/apparmor.d/phenobook-electron');
    expect(p?.fix[2]).toBe('Or use browser mode: npm start -- --web');
  });

  it('is satisfied by a SUID root helper', () => {
    expect(sandboxProblem({ ...ubuntu2404, sandboxHelper: { uid: 0, mode: 0o104755 } })).toBeNull();
  });

  it('is satisfied by an AppArmor profile that grants user namespaces to this binary', () => {
    expect(sandboxProblem({ ...ubuntu2404, apparmorProfilesGrantingUserns: ['/etc/apparmor.d/phenobook-electron'] })).toBeNull();
  });

  it('is satisfied where user namespaces are not restricted (Debian, Fedora, older Ubuntu)', () => {
    expect(sandboxProblem({ ...ubuntu2404, apparmorRestrict: '0\n' })).toBeNull();
    expect(sandboxProblem({ ...ubuntu2404, apparmorRestrict: null })).toBeNull();
  });

  it('sees the other ways user namespaces are switched off', () => {
    const off = { ...ubuntu2404, apparmorRestrict: null };
    expect(sandboxProblem({ ...off, unprivilegedUsernsClone: '0' })?.reason).toContain('kernel.unprivileged_userns_clone = 0');
    expect(sandboxProblem({ ...off, maxUserNamespaces: '0' })?.reason).toContain('user.max_user_namespaces = 0');
  });

  it('names a missing helper, and quotes paths with spaces', () => {
    const spaced = '/home/ada/my work/node_modules/electron/dist/chrome-sandbox';
    const p = sandboxProblem({ ...ubuntu2404, sandboxHelper: null, sandboxHelperPath: spaced, electronBinary: '/home/ada/my work/electron' });
    expect(p?.reason).toContain(`${spaced} is missing`);
    expect(p?.fix[0]).toContain(`sudo chown root:root '${spaced}' && sudo chmod 4755 '${spaced}'`);
    expect(p?.fix[1]).toContain('profile phenobook-electron "/home/ada/my work/electron" flags=(unconfined)');
  });

  it('refuses root, which Chromium will not sandbox', () => {
    expect(sandboxProblem({ ...ubuntu2404, uid: 0, apparmorRestrict: '0' })?.reason).toMatch(/refuses to start its sandbox as root/);
  });

  it('has nothing to say off Linux', () => {
    expect(sandboxProblem({ ...ubuntu2404, platform: 'darwin' })).toBeNull();
    expect(sandboxProblem({ ...ubuntu2404, platform: 'win32', uid: null })).toBeNull();
  });
});

describe('gatherSandboxFacts', () => {
  let root: string;
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function fixture(files: Record<string, string>): string {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-precheck-'));
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    }
    return root;
  }

  it('reads the sysctls, the helper and the AppArmor profiles of a machine like Ubuntu 24.04', () => {
    const r = fixture({
      'proc/sys/kernel/apparmor_restrict_unprivileged_userns': '1\n',
      'proc/sys/user/max_user_namespaces': '63382\n',
      'app/node_modules/electron/dist/electron': '',
      'app/node_modules/electron/dist/chrome-sandbox': '',
      'etc/apparmor.d/firefox': 'profile firefox /usr/lib/firefox/firefox flags=(unconfined) {\n  userns,\n}\n',
    });
    const binary = path.join(r, 'app/node_modules/electron/dist/electron');
    fs.chmodSync(path.join(r, 'app/node_modules/electron/dist/chrome-sandbox'), 0o755);
    const facts = gatherSandboxFacts({ electronBinary: binary, root: r, platform: 'linux', uid: 1000 });
    expect(facts).toMatchObject({
      apparmorRestrict: '1\n',
      unprivilegedUsernsClone: null,
      maxUserNamespaces: '63382\n',
      sandboxHelperPath: path.join(r, 'app/node_modules/electron/dist/chrome-sandbox'),
      apparmorProfilesGrantingUserns: [],
    });
    expect(facts.sandboxHelper!.mode & 0o7777).toBe(0o755);
    expect(sandboxProblem(facts)?.reason).toMatch(/AppArmor restricts unprivileged user namespaces/);

    // With the profile the fix suggests, the check passes.
    fs.writeFileSync(path.join(r, 'etc/apparmor.d/phenobook-electron'), `abi <abi/4.0>,\nprofile phenobook-electron ${binary} flags=(unconfined) {\n  userns,\n}\n`);
    const fixed = gatherSandboxFacts({ electronBinary: binary, root: r, platform: 'linux', uid: 1000 });
    expect(fixed.apparmorProfilesGrantingUserns).toEqual([path.join(r, 'etc/apparmor.d/phenobook-electron')]);
    expect(sandboxProblem(fixed)).toBeNull();
  });
});
