#!/usr/bin/env bash
# Builds the Linux packages of Partner Portal with Tauri's bundler: a .deb
# and an .rpm, each with the desktop file, the icons at every size
# (16–512 px, hicolor) and the AppStream metainfo. Then checks them: the
# metainfo and the desktop file with `appstreamcli validate-tree` (Debian's
# appstream), the desktop file's portal:// scheme, and the file list of each
# package.
#
#   scripts/package.sh            release build (what users install)
#   scripts/package.sh --debug    bundles the debug build instead (CI: the
#                                 install test, without a second, release build)
#   scripts/package.sh --install-test
#                                 after bundling (debug), installs the .deb with
#                                 apt-get, starts /usr/bin/partner-portal under
#                                 Xvfb with its own data dir and keyring, waits
#                                 for the first page through WebDriver, and
#                                 uninstalls it (tests/package/installed.mjs)
#
# The packages land in target/{release,debug}/bundle/{deb,rpm}/; their paths
# are printed last.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

PROFILE=release INSTALL_TEST=0
for a in "$@"; do
  case "$a" in
    --debug) PROFILE=debug ;;
    --install-test) PROFILE=debug INSTALL_TEST=1 ;;
    -h|--help) sed -n 2,19p "$0"; exit 0 ;;
    *) echo "unknown argument: $a (see --help)" >&2; exit 2 ;;
  esac
done

ensure_apt "${APT_APP[@]}" appstream rpm
ensure_npm "$ROOT/bench"   # the Tauri CLI (prebuilt, from npm)
[ -f "$ROOT/ui/dist/index.html" ] || build_ui
if [ "$PROFILE" = release ]; then
  say "Building the app (release)"
  cargo build --quiet --release -p partner-portal "${APP_FEATURES[@]}"
  BUNDLE_ARGS=()
else
  say "Building the app (debug)"
  cargo build --quiet -p partner-portal "${APP_FEATURES[@]}"
  BUNDLE_ARGS=(--debug)
fi
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$TARGET/$PROFILE/bundle"
rm -rf "$OUT/deb" "$OUT/rpm"
say "Bundling the .deb and the .rpm"
(cd "$ROOT/src-tauri" && "$ROOT/bench/node_modules/.bin/tauri" bundle "${BUNDLE_ARGS[@]}" --bundles deb,rpm --ci) >&2
DEB="$(ls "$OUT"/deb/*.deb)"
RPM="$(ls "$OUT"/rpm/*.rpm)"

# What each package must carry.
WANT=(
  usr/bin/partner-portal
  "usr/share/applications/Partner Portal.desktop"
  usr/share/metainfo/dev.partnerportal.app.metainfo.xml
)
for size in 16 32 48 64 128 256 512; do
  WANT+=("usr/share/icons/hicolor/${size}x${size}/apps/partner-portal.png")
done
check_list() { # $1: package, stdin: its file list (one path a line)
  local list missing=0
  list="$(sed -e 's|^\./||' -e 's|^/||')"
  for f in "${WANT[@]}"; do
    grep -qxF "$f" <<<"$list" || { echo "$1 lacks $f" >&2; missing=1; }
  done
  return "$missing"
}
say "Checking the packages' contents"
dpkg-deb --fsys-tarfile "$DEB" | tar -t | check_list "$DEB"
rpm -qlp "$RPM" 2>/dev/null | check_list "$RPM"

say "Validating the AppStream metainfo and the desktop file (appstreamcli validate-tree)"
TREE="$(mktemp -d)"
trap 'rm -rf "$TREE"' EXIT
dpkg-deb -x "$DEB" "$TREE"
appstreamcli validate-tree --no-net --pedantic "$TREE" >&2
# portal:// links (README, Deep links): the bundler writes the scheme from
# tauri.conf.json's plugins.deep-link.desktop.schemes.
grep -Eq '^MimeType=(.*;)?x-scheme-handler/portal(;|$)' "$TREE/usr/share/applications/Partner Portal.desktop" || {
  echo "the desktop entry does not register portal:// (MimeType=x-scheme-handler/portal;)" >&2
  exit 1
}

if [ "$INSTALL_TEST" = 1 ]; then
  ensure_apt "${APT_TEST[@]}"
  ensure_npm "$ROOT/tests/e2e"
  ensure_tauri_driver
  export TEST_ROOT="${TEST_ROOT:-$TREE/home}"
  say "Installing $DEB with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$DEB" >/dev/null
  uninstall() { as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq partner-portal >/dev/null; }
  trap 'uninstall; rm -rf "$TREE"' EXIT
  test -x /usr/bin/partner-portal
  say "Starting the installed /usr/bin/partner-portal under Xvfb"
  in_keyring env PORTAL_APP_BIN=/usr/bin/partner-portal \
    xvfb-run -a -s "-screen 0 1280x800x24" node tests/package/installed.mjs
fi
echo "$DEB"
echo "$RPM"
