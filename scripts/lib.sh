# Shared by run-app.sh and test.sh: idempotent set-up of everything the
# project needs on a Debian/Ubuntu machine that has Rust, Node/npm and Python.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# System packages: installed only when missing.
APT_APP=(libwebkit2gtk-4.1-dev libdbus-1-dev pkg-config build-essential curl file)
APT_TEST=(xvfb xauth webkit2gtk-driver imagemagick x11-utils xclip gnome-keyring dbus libsecret-tools)

ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "Missing system packages: ${missing[*]} (install them with your package manager; see README)" >&2
    return 1
  fi
  say "Installing system packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# npm packages of a folder, re-installed when package.json or the lock changed.
ensure_npm() {
  local dir="$1" stamp="$1/node_modules/.portal-stamp" sum
  sum=$(cat "$dir/package.json" "$dir/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then return 0; fi
  say "Installing npm packages in ${dir#"$ROOT"/}"
  # The committed lock decides, and is never rewritten (a plain install can
  # add other platforms' optional packages to it). Not `npm ci`: it fails
  # where the registry lacks some platform builds (SETUP-NOTES).
  local save=()
  [ -f "$dir/package-lock.json" ] && save=(--no-save)
  (cd "$dir" && npm install "${save[@]}" --no-audit --no-fund --loglevel=error)
  cat "$dir/package.json" "$dir/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1 > "$stamp"
}

TAURI_DRIVER_VERSION=2.1.0
ensure_tauri_driver() {
  export PATH="$HOME/.cargo/bin:$PATH"
  if tauri-driver --help >/dev/null 2>&1 && [ -f "$HOME/.cargo/.portal-tauri-driver-$TAURI_DRIVER_VERSION" ]; then return 0; fi
  say "Installing tauri-driver $TAURI_DRIVER_VERSION (cargo install, ~1 min)"
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked --quiet
  touch "$HOME/.cargo/.portal-tauri-driver-$TAURI_DRIVER_VERSION"
}

# A private D-Bus session with an unlocked GNOME Keyring, and throwaway XDG
# dirs under $TEST_ROOT (set by the caller): tests never touch the developer's
# keychain or app data.
in_keyring() {
  XDG_DATA_HOME="$TEST_ROOT/data" XDG_CONFIG_HOME="$TEST_ROOT/config" XDG_CACHE_HOME="$TEST_ROOT/cache" \
  dbus-run-session -- bash -c '
    mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
    eval "$(printf %s portal-test-keyring | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
    export GNOME_KEYRING_CONTROL PORTAL_TEST_KEYCHAIN=1
    exec "$@"' in_keyring "$@"
}

build_ui() {
  ensure_npm "$ROOT/ui"
  say "Building the UI"
  (cd "$ROOT/ui" && npm run --silent build)
}

# The benchmarks' arguments: sets QUICK=1 on --quick; -h/--help prints the
# lines $1 (a sed range such as 2,10: the script's header) of the calling
# script and exits 0; anything else is refused (exit 2).
parse_bench_args() {
  local help="$1"; shift
  QUICK=0
  for a in "$@"; do
    case "$a" in
      --quick) QUICK=1 ;;
      -h|--help) sed -n "${help}p" "$0"; exit 0 ;;
      *) echo "unknown argument: $a" >&2; exit 2 ;;
    esac
  done
}

# The app binary that serves the built UI (not the dev server).
APP_FEATURES=(--features partner-portal/custom-protocol)
