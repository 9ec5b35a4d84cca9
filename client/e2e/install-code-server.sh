#!/usr/bin/env bash
# Install code-server (VS Code in the browser) for the end-to-end test, offline-friendly:
# the npm package's install scripts would download prebuilt native modules (no network
# here) or compile all of them; only @vscode/spdlog is rebuilt (code-server writes no log
# files without it), the other native modules it needs ship prebuilt in their packages.
#
#   client/e2e/install-code-server.sh DEST NODE24_DIR
#
# Idempotent: does nothing when DEST already holds this version.
set -euo pipefail
DEST=$1
N24=$2
VERSION=${CODE_SERVER_VERSION:-4.139.1}
CS=$DEST/node_modules/code-server
if [ -x "$DEST/node_modules/.bin/code-server" ] && [ -f "$DEST/.installed-$VERSION" ]; then
  exit 0
fi
mkdir -p "$DEST"
export PATH="$N24/bin:$PATH" npm_config_nodedir="$N24"
cd "$DEST"
[ -f package.json ] || echo '{ "private": true }' > package.json
npm_config_ignore_scripts=true npm install --no-audit --no-fund --loglevel=error "code-server@$VERSION"
cd "$CS"
npm_config_ignore_scripts=true npm_config_user_agent="npm/11 node/v$("$N24/bin/node" -p 'process.versions.node') linux x64" \
  sh ./postinstall.sh
cd lib/vscode
npm rebuild --loglevel=error @vscode/spdlog
touch "$DEST/.installed-$VERSION"
