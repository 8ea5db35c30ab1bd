#!/usr/bin/env bash
# CTest `package_nsis_script` (label package): what of the Windows installer can be checked on Linux.
# CPack's NSIS generator runs on Linux with Debian's makensis: it writes project.nsi from this build's configuration
# and compiles it into an installer. The installer holds this build's Linux programs, so it is of no use on Windows;
# what it shows is that the NSIS configuration (packaging/CMakeLists.txt) produces a script that makensis accepts,
# with the Start-menu entry, the "Open with" associations for every image type and their removal on uninstall.
# windeployqt, the MSVC runtime and LibTorch's DLLs are install rules for Windows builds only: the workflow
# .github/workflows/windows.yml checks those (docs/packaging.md). Exit 77 (skipped) without makensis (package nsis).
# Usage: nsis_script_test.sh <build folder> <work folder> <studio built: 0|1>
set -euo pipefail
build=$1
work=$2
studio=$3
command -v makensis >/dev/null || { echo "SKIP: makensis is not installed (Debian package nsis)"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"
if ! cpack -G NSIS --config "$build/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1; then
  tail -n 40 "$work/cpack.log"
  find "$work" -name NSISOutput.log -exec tail -n 40 {} \;
  fail "cpack -G NSIS failed"
fi
nsi=$(find "$work/_CPack_Packages" -name project.nsi | head -n 1)
exe=$(find "$work" -maxdepth 1 -name 'orfeas-*.exe' | head -n 1)
[ -n "$nsi" ] || fail "no project.nsi"
[ -n "$exe" ] || fail "no installer"
[ "$(head -c 2 "$exe")" = MZ ] || fail "$exe is not a Windows executable"
echo "$(basename "$exe"): $(du -h "$exe" | cut -f1); script: $nsi"
expect=('WriteUninstaller "$INSTDIR\Uninstall.exe"' 'Section "Uninstall"'
        'Software\Microsoft\Windows\CurrentVersion\Uninstall\ORFEAS Studio')
if [ "$studio" = 1 ]; then
  expect+=('CreateShortCut "$SMPROGRAMS\$STARTMENU_FOLDER\ORFEAS Studio.lnk" "$INSTDIR\bin\orfeas-studio.exe"'
           '!define MUI_ICON'
           "WriteRegStr SHCTX 'Software\Classes\ORFEAS.Image\shell\open\command' '' '\"\$INSTDIR\bin\orfeas-studio.exe\" \"%1\"'"
           "DeleteRegKey SHCTX 'Software\Classes\ORFEAS.Image'")
  for ext in .png .jpg .jpeg .bmp .tga .webp; do
    expect+=("WriteRegStr SHCTX 'Software\Classes\\$ext\OpenWithProgids' 'ORFEAS.Image' ''"
             "DeleteRegValue SHCTX 'Software\Classes\\$ext\OpenWithProgids' 'ORFEAS.Image'")
  done
fi
for line in "${expect[@]}"; do
  grep -qF -- "$line" "$nsi" || fail "project.nsi lacks: $line"
done
# Every file the installer puts down is deleted by the uninstaller.
stage=$(dirname "$nsi")/$(basename "$exe" .exe)
[ -d "$stage" ] || fail "no staging folder $stage"
count=0
while read -r f; do
  win=$(sed 's:/:\\:g' <<<"${f#"$stage"/}")
  grep -qF "Delete \"\$INSTDIR\\$win\"" "$nsi" || fail "the uninstaller does not delete $win"
  count=$((count + 1))
done < <(find "$stage" -type f)
[ "$count" -gt 0 ] || fail "the installer holds no files"
echo "NSIS script OK ($count files, each removed by the uninstaller)"
