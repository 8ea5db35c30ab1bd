#!/usr/bin/env bash
# CTest `package_deb` (label package): the Debian package end to end, from this build folder.
#   1. cpack builds the .deb (dpkg-shlibdeps computes its library dependencies);
#   2. its control fields and file list are checked, and lintian finds nothing above "info" (the tags suppressed in
#      packaging/linux/lintian-suppressed-tags are explained in docs/packaging.md);
#   3. apt-get installs it (pulling what it depends on);
#   4. from a folder outside the source tree, with an empty environment (PATH and HOME only), `orfeas --version`,
#      `orfeas info` and `orfeas generate` on an installed sample succeed, `orfeas-bench --help` too where built,
#      `man orfeas` finds the page, and `orfeas-studio --quit-after-ms` starts under Xvfb and quits with status 0,
#      writing only into the XDG places of HOME;
#   5. every shared object the programs load (plugins included) belongs to a package in the package's dependency
#      closure (Depends, recursively; and Recommends for libraries that Qt loads only when present), so the declared
#      dependencies are enough on a clean machine;
#   6. apt-get purge removes it, and nothing is left behind: no file of its `dpkg -L` list, and every folder it
#      touched holds exactly what it held before the installation (desktop caches excepted).
# Needs root (or password-less sudo); exits 77 (skipped) without. Refuses to replace an `orfeas` package that it did
# not install itself. ORFEAS_SKIP_PACKAGE_TEST=1 skips it (for a full `ctest` on a machine you share).
# Usage: package_deb_test.sh <build folder> <work folder> <version> <programs, ;-separated>
set -euo pipefail
build=$(cd "$1" && pwd)
work=$2
version=$3
IFS=';' read -r -a programs <<<"$4"
here=$(cd "$(dirname "$0")" && pwd)
suppressed="$here/../linux/lintian-suppressed-tags"
pkg=orfeas
marker=/var/tmp/orfeas-package-test.installed
started=$SECONDS

step() { echo; echo "==== [$((SECONDS - started)) s] $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
has() { local p; for p in "${programs[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

[ "${ORFEAS_SKIP_PACKAGE_TEST:-0}" = 1 ] && skip "ORFEAS_SKIP_PACKAGE_TEST=1"
SUDO=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=(sudo -n); else
    skip "needs root or password-less sudo (apt-get install and purge)"
  fi
fi
for tool in cpack dpkg dpkg-deb dpkg-shlibdeps apt-get apt-cache lintian xvfb-run flock file; do
  command -v "$tool" >/dev/null ||
    fail "$tool is missing (packaging/scripts/install-deps.sh --test installs dpkg-dev, lintian, xvfb, file)"
done
apt_opts=(-y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)

# One package test at a time on this machine (several build folders may run theirs).
exec 9>/var/tmp/orfeas-package-test.lock
flock -w 1200 9 || fail "another package test kept the lock for 20 minutes"

installed() { dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; }
if installed; then
  if [ -e "$marker" ]; then
    echo "a previous package test left $pkg installed: purging it first"
    "${SUDO[@]}" apt-get purge "${apt_opts[@]}" "$pkg" >/dev/null
    "${SUDO[@]}" rm -f "$marker"
  else
    skip "a package '$pkg' is installed on this machine and this test did not install it; remove it to run the test"
  fi
fi

run=$(mktemp -d /tmp/orfeas-package-run.XXXXXX)
home="$run/home"
cwd="$run/cwd"
mkdir -p "$home" "$cwd"
cleanup() {
  if [ -e "$marker" ] && installed; then
    echo "cleanup: purging $pkg"
    "${SUDO[@]}" apt-get purge "${apt_opts[@]}" "$pkg" >/dev/null 2>&1 || true
  fi
  "${SUDO[@]}" rm -f "$marker"
  rm -rf "$run"
}
trap cleanup EXIT
clean_env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "HOME=$home")

# --- 1. build ---------------------------------------------------------------------------------------------------
step "cpack -G DEB"
rm -rf "$work"
mkdir -p "$work"
if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/cpack" >"$work/cpack.log" 2>&1; then
  tail -n 60 "$work/cpack.log"
  fail "cpack failed (log: $work/cpack.log)"
fi
shopt -s nullglob
debs=("$work"/cpack/${pkg}_*.deb)
shopt -u nullglob
[ "${#debs[@]}" = 1 ] || fail "expected one ${pkg}_*.deb in $work/cpack, found ${#debs[@]}"
deb=${debs[0]}
echo "$(basename "$deb"): $(du -h "$deb" | cut -f1)"

# --- 2. metadata, contents, lintian -------------------------------------------------------------------------------
step "control fields and contents"
dpkg-deb --field "$deb" | tee "$work/control"
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = "$pkg" ] || fail "Package is '$(field Package)'"
[ "$(field Version)" = "$version-1" ] || fail "Version is '$(field Version)', expected $version-1"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture is '$(field Architecture)'"
[ "$(field Section)" = graphics ] || fail "Section is '$(field Section)'"
depends=$(field Depends)
need_deps=(libc6 libstdc++6)
has orfeas-studio && need_deps+=(libqt6widgets6 libqt6svg6 libqt63drender6)
# Linked libraries must appear as computed dependencies: LibTorch when the CLI links it.
if ldd "$build/app/cli/orfeas" | grep -q 'libtorch'; then need_deps+=(libtorch); fi
for d in "${need_deps[@]}"; do
  re=$(sed 's/[+.]/\\&/g' <<<"$d")
  grep -Eq "(^|, )$re[a-z0-9.+-]*( |,|$)" <<<"$depends" || fail "Depends lacks $d: $depends"
done
dpkg-deb --contents "$deb" | tee "$work/contents.txt" | awk '{print $1, $2, $NF}' >"$work/contents.short"
paths=$(awk '{print $NF}' "$work/contents.txt" | sed 's:^\./:/:; s:/$::' | sed '/^$/d')
expect=(/usr/share/doc/$pkg/copyright /usr/share/doc/$pkg/changelog.Debian.gz
        /usr/share/orfeas/samples/vase.png /usr/share/orfeas/samples/mushroom.png /usr/share/orfeas/samples/duck.jpg)
for p in "${programs[@]}"; do expect+=("/usr/bin/$p" "/usr/share/man/man1/$p.1.gz"); done
if has orfeas-studio; then
  expect+=(/usr/share/applications/orfeas-studio.desktop /usr/share/icons/hicolor/scalable/apps/orfeas-studio.svg)
  for s in 16 22 24 32 48 64 128 256; do expect+=("/usr/share/icons/hicolor/${s}x${s}/apps/orfeas-studio.png"); done
fi
for p in "${expect[@]}"; do grep -qx "$p" <<<"$paths" || fail "the package lacks $p"; done
has orfeas-studio && { grep -q '^/usr/share/metainfo/.*\.metainfo\.xml$' <<<"$paths" || fail "no AppStream metainfo"; }
if grep -v '^/usr\(/\|$\)' <<<"$paths" | grep -q .; then fail "files outside /usr: $(grep -v '^/usr' <<<"$paths")"; fi
# Owned by root, directories 0755, files 0644 or 0755.
bad=$(awk '$2 != "root/root" || ($1 !~ /^(drwxr-xr-x|-rw-r--r--|-rwxr-xr-x|lrwxrwxrwx)$/)' "$work/contents.txt")
[ -z "$bad" ] || fail "unexpected owner or mode: $bad"
for p in "${programs[@]}"; do
  dpkg-deb --fsys-tarfile "$deb" | tar -xOf - "./usr/bin/$p" >"$work/$p.bin"
  file "$work/$p.bin" | grep -q 'stripped' && ! file "$work/$p.bin" | grep -q 'not stripped' ||
    fail "/usr/bin/$p is not stripped: $(file "$work/$p.bin")"
  rm -f "$work/$p.bin"
done

step "lintian"
lintian_args=(--fail-on error,warning --display-info --suppress-tags-from-file "$suppressed")
if ! lintian "${lintian_args[@]}" "$deb" 2>&1 | tee "$work/lintian.txt"; then
  fail "lintian reports errors or warnings (suppressed tags, with reasons in docs/packaging.md: $suppressed)"
fi

# --- 3. install -------------------------------------------------------------------------------------------------
# What each folder of the package holds before: after the purge it must hold the same.
step "snapshot of the package's folders"
dirs=$(awk '$1 ~ /^d/ {print $NF}' "$work/contents.txt" | sed 's:^\./:/:; s:/$::' | sed 's:^$:/:' | sort -u)
snapshot() {
  local d
  while read -r d; do
    if [ -d "$d" ]; then find "$d" -mindepth 1 -maxdepth 1 -printf "$d %f\n"; else echo "$d <absent>"; fi
  done <<<"$dirs" | grep -Ev ' (icon-theme\.cache|mimeinfo\.cache|\.uuid)$' | sort
}
snapshot >"$work/before.txt"

step "apt-get install $deb"
"${SUDO[@]}" touch "$marker"
if ! "${SUDO[@]}" apt-get install "${apt_opts[@]}" "$deb" >"$work/apt-install.log" 2>&1; then
  tail -n 40 "$work/apt-install.log"
  fail "apt-get install failed"
fi
installed || fail "$pkg is not installed after apt-get install"
[ "$(dpkg-query -W -f='${Version}' "$pkg")" = "$version-1" ] || fail "installed version differs"
dpkg -L "$pkg" | sort >"$work/dpkg-L.txt"
echo "$(wc -l <"$work/dpkg-L.txt") paths installed"

# --- 4. run the installed programs ----------------------------------------------------------------------------
step "orfeas from $cwd, environment: PATH and HOME only"
cd "$cwd"
[ "$("${clean_env[@]}" sh -c 'command -v orfeas')" = /usr/bin/orfeas ] || fail "orfeas on PATH is not /usr/bin/orfeas"
got=$("${clean_env[@]}" orfeas --version)
[ "$got" = "orfeas $version" ] || fail "orfeas --version says '$got', expected 'orfeas $version'"
echo "$got"
"${clean_env[@]}" orfeas info >"$work/info.txt" 2>&1 || { cat "$work/info.txt"; fail "orfeas info failed"; }
head -n 20 "$work/info.txt"
sample=/usr/share/orfeas/samples/vase.png
t=$SECONDS
"${clean_env[@]}" orfeas generate "$sample" -o models --format glb,obj >"$work/generate.txt" 2>&1 ||
  { cat "$work/generate.txt"; fail "orfeas generate failed"; }
echo "orfeas generate $sample: $((SECONDS - t)) s"
[ "$(head -c 4 models/vase.glb)" = glTF ] || fail "models/vase.glb is not a GLB"
for f in models/vase.obj models/vase.mtl models/vase.report.json models/performance_report.json; do
  [ -s "$f" ] || fail "$f is missing"
done
ls -l models
grep -q '"backend"' models/vase.report.json || fail "vase.report.json has no backend"
if has orfeas-bench; then
  "${clean_env[@]}" orfeas-bench --help >"$work/bench-help.txt" 2>&1 || { cat "$work/bench-help.txt"; fail "orfeas-bench --help"; }
fi
if command -v man >/dev/null; then
  "${clean_env[@]}" man -w orfeas | grep -q '^/usr/share/man/man1/orfeas.1.gz$' || fail "man -w orfeas"
  "${clean_env[@]}" MANWIDTH=100 man -P cat orfeas 2>/dev/null | grep -q 'orfeas generate' ||
    fail "the orfeas manual page does not describe 'orfeas generate'"
fi

ld_dir="$work/ld"
mkdir -p "$ld_dir"
"${clean_env[@]}" LD_DEBUG=libs "LD_DEBUG_OUTPUT=$ld_dir/cli" orfeas generate "$sample" -o models-ld \
  --format glb >/dev/null 2>&1 || fail "orfeas generate (with LD_DEBUG) failed"

if has orfeas-studio; then
  step "orfeas-studio under Xvfb, --quit-after-ms 4000"
  studio() { # $1: extra environment (VAR=value or "")
    xvfb-run -a -s "-screen 0 1280x800x24" sh -c \
      'exec env -i "PATH=$1" "HOME=$2" "DISPLAY=$DISPLAY" "XAUTHORITY=$XAUTHORITY" $3 timeout 120 orfeas-studio --quit-after-ms 4000' \
      studio /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$home" "$1"
  }
  t=$SECONDS
  status=0
  studio "" >"$work/studio.txt" 2>&1 || status=$?
  echo "orfeas-studio exited with $status after $((SECONDS - t)) s"
  [ "$status" = 0 ] || { cat "$work/studio.txt"; fail "orfeas-studio did not start and quit cleanly"; }
  [ $((SECONDS - t)) -ge 4 ] || fail "orfeas-studio quit before its event loop ran 4 s"
  studio "LD_DEBUG=libs LD_DEBUG_OUTPUT=$ld_dir/studio" >/dev/null 2>&1 || fail "orfeas-studio (LD_DEBUG) failed"
  echo "files the studio wrote into HOME:"
  (cd "$home" && find . -type f | sed 's:^\./:  :')
  # Settings, logs and caches go to the XDG places (QStandardPaths), nowhere else in HOME and never next to the
  # program (checked with the package's folders after the purge).
  stray=$(cd "$home" && find . -type f ! -path './.config/*' ! -path './.local/share/*' ! -path './.cache/*' \
            ! -path './Documents/ORFEAS Models/*')
  [ -z "$stray" ] || fail "the studio wrote outside the XDG places: $stray"
fi
[ -z "$(find "$cwd" -mindepth 1 -maxdepth 1 ! -name models ! -name models-ld)" ] ||
  fail "a program wrote into its working folder: $(ls -A "$cwd")"
cd /

# --- 5. what the programs load is in the dependency closure ---------------------------------------------------
step "shared objects loaded vs. the package's dependency closure"
objects=$(grep -h 'calling init: ' "$ld_dir"/* | sed 's/.*calling init: //' | sort -u)
[ -n "$objects" ] || fail "LD_DEBUG recorded no shared objects"
echo "$(wc -l <<<"$objects") shared objects loaded"
# The owner of each object, trying its merged-/usr alias and the resolved file too (one dpkg -S for all).
candidates() {
  local p=$1
  echo "$p"
  case "$p" in /usr/lib/*) echo "${p#/usr}" ;; /lib/*) echo "/usr$p" ;; esac
  readlink -f "$p"
}
declare -A owner=()
mapfile -t all_candidates < <(while read -r obj; do candidates "$obj"; done <<<"$objects" | sort -u)
while IFS= read -r line; do
  case "$line" in diversion*) continue ;; esac
  owner["${line#*: }"]=$(cut -d: -f1 <<<"${line%%, *}")
done < <(dpkg -S "${all_candidates[@]}" 2>/dev/null || true)
# The closure: what the package depends on, recursively, and what its Recommends depend on (optional libraries
# that Qt loads with dlopen when present).
mapfile -t roots < <(echo "$pkg"; dpkg-deb --field "$deb" Recommends | tr ',|' '\n\n' | sed 's/(.*//; s/ //g' | sed '/^$/d')
closure=$(apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts --no-breaks \
            --no-replaces --no-enhances "${roots[@]}" | grep -v '^ ' | sed 's/:.*//; s/[<>]//g' | sort -u)
missing=""
while read -r obj; do
  o=""
  while read -r c; do
    if [ -n "${owner[$c]:-}" ]; then o=${owner[$c]}; break; fi
  done < <(candidates "$obj")
  if [ -z "$o" ]; then missing+="  $obj (no package owns it)"$'\n'
  elif ! grep -qx "$o" <<<"$closure"; then missing+="  $obj ($o)"$'\n'
  fi
done <<<"$objects"
[ -z "$missing" ] || fail "loaded, but not in the dependency closure of $pkg:"$'\n'"$missing"
echo "all loaded objects belong to $pkg or its dependencies ($(wc -l <<<"$closure") packages)"

# --- 6. remove ----------------------------------------------------------------------------------------------------
step "apt-get purge $pkg"
"${SUDO[@]}" apt-get purge "${apt_opts[@]}" "$pkg" >"$work/apt-purge.log" 2>&1 || { cat "$work/apt-purge.log"; fail "purge"; }
"${SUDO[@]}" rm -f "$marker"
! installed || fail "$pkg is still installed"
left=""
while read -r p; do
  [ -n "$p" ] && [ "$p" != "/." ] || continue
  if grep -qx "$p" <<<"$dirs"; then
    # A folder of the package: gone if it did not exist before (else compared below).
    if grep -qx "$p <absent>" "$work/before.txt" && [ -e "$p" ] &&
       [ -z "$(find "$p" -mindepth 1 -maxdepth 1 | head -n 1)" ] && ! dpkg -S "$p" >/dev/null 2>&1; then
      left+="  $p (empty folder)"$'\n'
    fi
  elif [ -e "$p" ] || [ -L "$p" ]; then
    left+="  $p"$'\n'
  fi
done <"$work/dpkg-L.txt"
[ -z "$left" ] || fail "left behind after the purge:"$'\n'"$left"
# The folders hold what they held before, apart from entries that other packages own (dependencies that
# apt-get installed along with this one) and the desktop caches.
snapshot >"$work/after.txt"
changes=""
while read -r line; do
  case "$line" in
    "+++ "* | "--- "* | "@@"* ) continue ;;
    "-"*" <absent>") continue ;;
    "+"*" <absent>") continue ;;
    "+"*) entry=${line#+}; path=$(sed 's://*:/:g' <<<"${entry%% *}/${entry#* }")
          dpkg -S "$path" >/dev/null 2>&1 || changes+="  new, owned by no package: $path"$'\n' ;;
    "-"*) entry=${line#-}; changes+="  gone: ${entry%% *}/${entry#* }"$'\n' ;;
  esac
done < <(diff -U0 "$work/before.txt" "$work/after.txt" || true)
[ -z "$changes" ] || fail "the package's folders changed across install and purge:"$'\n'"$changes"
echo "nothing left behind ($(wc -l <"$work/dpkg-L.txt") paths checked, $(wc -l <<<"$dirs") folders compared)"
step "package test passed"
