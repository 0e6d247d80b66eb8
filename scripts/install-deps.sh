#!/usr/bin/env bash
# Installs everything Captionist needs on a Debian machine: system packages (as root) and the
# npm packages exactly as locked. Safe to run again; it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# python3-pocketsphinx: the proxy's local engine decodes through it (proxy/upstreams/pocketsphinx-stream.py);
# pocketsphinx (the command-line tool) stays: tests and benches compare the engine's finals with it.
# chromium-l10n: Debian's Chromium ships only en-US without it, so --lang=de (tests/e2e/locale-de.spec.ts)
# would stay English.
# nginx: the proxy test that streams through TLS (wss://) in front of the proxy.
# xvfb, xdotool: the e2e test that types the Alt+Shift+H shortcut on a real (virtual) keyboard;
# extension shortcuts never fire from Playwright's synthetic keys (testkit/browser/x-display.ts).
# redis-server, postgresql: the proxy tests of shared limits and the archive start their own servers
# on loopback ports in temporary folders, and stop them after (the packages' own services are not used).
# firefox-esr, pulseaudio, pulseaudio-utils: the Firefox e2e tests (tests/e2e-firefox) play the speech
# into a private PulseAudio server that Firefox opens as its microphone (testkit/firefox/virtual-mic.ts).
DEBIAN_PACKAGES=(chromium chromium-l10n pocketsphinx python3-pocketsphinx pocketsphinx-en-us pocketsphinx-testdata sox nginx xvfb xdotool redis-server postgresql firefox-esr pulseaudio pulseaudio-utils)
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund
fi
# .wxt/ (generated types and tsconfig) is not committed; tsc and vitest need it.
npx wxt prepare >/dev/null
