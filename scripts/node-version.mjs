// @ts-check
// Imported first by `npm start` and the CLI: on an unsupported Node, one clear line instead of
// a stack trace from deep inside a dependency. Imports nothing, so it runs on any Node.
const MIN_MAJOR = 22;
const MIN_MINOR = 12;
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < MIN_MAJOR || (major === MIN_MAJOR && minor < MIN_MINOR)) {
  process.stderr.write(
    `Phenobook needs Node.js ${MIN_MAJOR}.${MIN_MINOR} or newer (22 LTS or 24 LTS); this is ${process.version} (${process.execPath}).\n` +
      'Install a current Node.js (nodejs.org, your package manager, nvm/fnm), or on Linux fetch one from the npm registry:\n' +
      '  export PATH="$(bash scripts/ensure-node.sh):$PATH"\n' +
      'then run `npm install` again.\n',
  );
  process.exit(1);
}
