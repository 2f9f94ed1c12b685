#!/usr/bin/env bash
# Make the macOS disk image from the .app PyInstaller built (packaging/build.py runs this on macOS):
#   bash packaging/macos/make-dmg.sh dist/norepi-gui.app dist/norepi-gui-<version>-macos-<arch>.dmg <version>
# The image holds the app and a link to /Applications, so the user drags one onto the other.
#
# The .app is ad-hoc signed by PyInstaller (enough to run on Apple silicon) but neither signed with a Developer ID
# nor notarised: Gatekeeper then asks the user to confirm the first start (Control-click > Open, or System Settings >
# Privacy & Security > Open Anyway). With a Developer ID certificate in the keychain, sign and notarise here:
#   codesign --deep --force --options runtime --timestamp --sign "Developer ID Application: ..." "$app"
#   xcrun notarytool submit "$dmg" --keychain-profile ... --wait && xcrun stapler staple "$dmg"
set -euo pipefail
app=$1
dmg=$2
version=$3
[ -d "$app" ] || { echo "make-dmg.sh: no app bundle at $app" >&2; exit 1; }
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
hdiutil create -volname "norepi-gui $version" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"
hdiutil verify "$dmg"
