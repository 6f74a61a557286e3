#!/usr/bin/env bash
# Prints the bin folder of a Node.js that the project supports (>= 22.12), installing one from the
# npm registry (the node-linux-<arch> package, which carries the official binary) when the
# machine's own Node is missing or older. CI sources this; a researcher on an old Node can too:
#   export PATH="$(bash scripts/ensure-node.sh):$PATH"
# Usage: ensure-node.sh [MAJOR]   MAJOR forces that major version (22 or 24), e.g. to test on both.
set -euo pipefail

want_major="${1:-}"
cache="${PHENOBOOK_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/phenobook/node}"

supported() { # $1 = a node binary; true when it is >= 22.12 (and of the wanted major, if any)
  "$1" -e '
    const [maj, min] = process.versions.node.split(".").map(Number);
    const want = process.argv[1] ? Number(process.argv[1]) : null;
    process.exit((maj > 22 || (maj === 22 && min >= 12)) && (want === null || maj === want) ? 0 : 1);
  ' "$want_major" 2>/dev/null
}

if command -v node >/dev/null && supported "$(command -v node)"; then
  dirname "$(command -v node)"
  exit 0
fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "ensure-node: no Node.js package for $(uname -m) on the npm registry" >&2; exit 1 ;;
esac
[ "$(uname -s)" = Linux ] || { echo "ensure-node: install Node.js >= 22.12 yourself on $(uname -s)" >&2; exit 1; }

major="${want_major:-24}"
pkg="node-linux-$arch"
# The newest release of that major line; `npm view` answers from the registry without installing.
version=$(npm view "$pkg@$major" version --json 2>/dev/null | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const v = JSON.parse(s); const all = Array.isArray(v) ? v : [v];
    all.sort((a, b) => a.split(".").map(Number).reduce((r, x, i) => r || x - b.split(".").map(Number)[i], 0));
    process.stdout.write(all.at(-1) ?? "");
  });') || true
[ -n "$version" ] || { echo "ensure-node: could not look up $pkg@$major on the npm registry" >&2; exit 1; }

dest="$cache/$version"
if ! [ -x "$dest/bin/node" ] || ! supported "$dest/bin/node"; then
  echo "ensure-node: installing Node.js $version from the npm registry ($pkg) into $dest" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null)
  mkdir -p "$dest"
  tar xzf "$tmp"/*.tgz -C "$dest" --strip-components=1
fi
supported "$dest/bin/node" || { echo "ensure-node: $dest/bin/node does not run here" >&2; exit 1; }
echo "$dest/bin"
