// @ts-check
// What can be known before launching Electron on Linux: whether Chromium's sandbox can start.
// Chromium sandboxes its renderers with unprivileged user namespaces, or, where those are
// unavailable, with the SUID `chrome-sandbox` helper. When neither works it aborts at launch
// ("FATAL:setuid_sandbox_host … owned by root and has mode 4755"). Ubuntu ≥ 23.10 restricts
// user namespaces through AppArmor (kernel.apparmor_restrict_unprivileged_userns=1) and npm
// unpacks the helper as an ordinary file, so out of the box Electron cannot start there.
// The facts are gathered in one place (gatherSandboxFacts) and judged by a pure function
// (sandboxProblem), which the tests feed with fixtures.
import fs from 'node:fs';
import path from 'node:path';

/**
 * @typedef {object} SandboxFacts
 * @property {NodeJS.Platform} platform
 * @property {number | null} uid  the user launching (null where the platform has no uids)
 * @property {string | null} apparmorRestrict  /proc/sys/kernel/apparmor_restrict_unprivileged_userns
 * @property {string | null} unprivilegedUsernsClone  /proc/sys/kernel/unprivileged_userns_clone (Debian's older switch)
 * @property {string | null} maxUserNamespaces  /proc/sys/user/max_user_namespaces
 * @property {{ uid: number, mode: number } | null} sandboxHelper  owner and mode of dist/chrome-sandbox
 * @property {string} sandboxHelperPath
 * @property {string} electronBinary
 * @property {string[]} apparmorProfilesGrantingUserns  AppArmor profile files naming the binary with `userns`
 */

/**
 * @typedef {object} SandboxProblem
 * @property {string} reason  one line: why Electron would abort
 * @property {string[]} fix   commands or steps, the least invasive first
 */

/** @param {string | null} value */
const trimmed = (value) => (value === null ? null : value.trim());

/**
 * Why Electron's sandbox cannot start here, or null when it can (or we cannot tell).
 * @param {SandboxFacts} facts
 * @returns {SandboxProblem | null}
 */
export function sandboxProblem(facts) {
  if (facts.platform !== 'linux') return null;
  if (facts.uid === 0) {
    return {
      reason: 'Electron refuses to start its sandbox as root (Chromium: "Running as root without --no-sandbox is not supported")',
      fix: ['Run `npm start` as your own user, not root (or use `npm start -- --web` for browser mode).'],
    };
  }
  const helperUsable = facts.sandboxHelper !== null && facts.sandboxHelper.uid === 0 && (facts.sandboxHelper.mode & 0o4755) === 0o4755;
  if (helperUsable) return null;
  const restrictions = [];
  if (trimmed(facts.apparmorRestrict) === '1' && facts.apparmorProfilesGrantingUserns.length === 0) {
    restrictions.push('AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1, the default since Ubuntu 23.10)');
  }
  if (trimmed(facts.unprivilegedUsernsClone) === '0') restrictions.push('unprivileged user namespaces are off (kernel.unprivileged_userns_clone = 0)');
  if (trimmed(facts.maxUserNamespaces) === '0') restrictions.push('user namespaces are off (user.max_user_namespaces = 0)');
  if (restrictions.length === 0) return null;

  const helper = facts.sandboxHelperPath;
  const helperState =
    facts.sandboxHelper === null
      ? `${helper} is missing`
      : `${helper} is not owned by root with mode 4755 (owner uid ${facts.sandboxHelper.uid}, mode ${(facts.sandboxHelper.mode & 0o7777).toString(8)})`;
  return { reason: `Electron's sandbox cannot start: ${restrictions.join('; ')}, and ${helperState}`, fix: sandboxFixes(helper, facts.electronBinary) };
}

/**
 * What a user can do when Chromium's sandbox cannot start, least invasive first.
 * @param {string} helper  the chrome-sandbox path
 * @param {string} electronBinary
 * @returns {string[]}
 */
export function sandboxFixes(helper, electronBinary) {
  const profile = 'phenobook-electron';
  return [
    `Give Electron's sandbox helper the rights it needs (once per install of the electron package): sudo chown root:root ${shellQuote(helper)} && sudo chmod 4755 ${shellQuote(helper)}`,
    `Or allow user namespaces for this Electron binary only with an AppArmor profile: printf 'abi <abi/4.0>,\\ninclude <tunables/global>\\nprofile ${profile} ${apparmorPath(electronBinary)} flags=(unconfined) {\\n  userns,\\n}\\n' | sudo tee /etc/apparmor.d/${profile} && sudo apparmor_parser -r /etc/apparmor.d/${profile}`,
    'Or use browser mode: npm start -- --web',
  ];
}

/** @param {string} s */
function shellQuote(s) {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

/** AppArmor profile paths with spaces must be quoted. @param {string} p */
function apparmorPath(p) {
  return /\s/.test(p) ? `"${p}"` : p;
}

/** @param {string} file */
function readOrNull(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Reads the facts from this machine. `root` replaces "/" for the /proc and /etc look-ups (tests).
 * @param {{ electronBinary: string, root?: string, platform?: NodeJS.Platform, uid?: number | null }} options
 * @returns {SandboxFacts}
 */
export function gatherSandboxFacts({ electronBinary, root = '/', platform = process.platform, uid = process.getuid?.() ?? null }) {
  const at = (/** @type {string} */ p) => path.join(root, p);
  const sandboxHelperPath = path.join(path.dirname(electronBinary), 'chrome-sandbox');
  let sandboxHelper = null;
  try {
    const st = fs.statSync(sandboxHelperPath);
    sandboxHelper = { uid: st.uid, mode: st.mode };
  } catch {
    // missing: sandboxProblem says so
  }
  const apparmorProfilesGrantingUserns = [];
  const profileDir = at('etc/apparmor.d');
  for (const name of safeReaddir(profileDir)) {
    const text = readOrNull(path.join(profileDir, name));
    if (text && text.includes(electronBinary) && /\buserns\b/.test(text)) apparmorProfilesGrantingUserns.push(path.join(profileDir, name));
  }
  return {
    platform,
    uid,
    apparmorRestrict: readOrNull(at('proc/sys/kernel/apparmor_restrict_unprivileged_userns')),
    unprivilegedUsernsClone: readOrNull(at('proc/sys/kernel/unprivileged_userns_clone')),
    maxUserNamespaces: readOrNull(at('proc/sys/user/max_user_namespaces')),
    sandboxHelper,
    sandboxHelperPath,
    electronBinary,
    apparmorProfilesGrantingUserns,
  };
}

/** @param {string} dir */
function safeReaddir(dir) {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name);
  } catch {
    return [];
  }
}
