#!/usr/bin/env bash
# Installs what is missing, builds, and starts Partner Portal against the
# embedded sandbox (choose "Explore with the local sandbox" on first run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
ensure_apt "${APT_APP[@]}"
build_ui
say "Building the app (first build takes a few minutes)"
cargo build -p partner-portal "${APP_FEATURES[@]}" --release
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  ensure_apt xvfb xauth
  say "No display: starting the app in a virtual X server (Xvfb)"
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$ROOT/target/release/partner-portal" "$@"
fi
exec "$ROOT/target/release/partner-portal" "$@"
