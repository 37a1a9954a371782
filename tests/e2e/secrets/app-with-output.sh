#!/usr/bin/env bash
# The debug app, with its stdout and stderr appended to files in
# $PORTAL_APP_OUTPUT, for the secrets scan (scripts/test.sh points
# PORTAL_APP_BIN here; WebKitWebDriver's own launch drops the app's output).
# `exec` keeps the process the driver started.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
app="${PORTAL_REAL_APP_BIN:-${CARGO_TARGET_DIR:-$here/../../../target}/debug/partner-portal}"
out="${PORTAL_APP_OUTPUT:?PORTAL_APP_OUTPUT names the output directory}"
mkdir -p "$out"
exec "$app" "$@" >>"$out/app.stdout" 2>>"$out/app.stderr"
