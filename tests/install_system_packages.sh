#!/usr/bin/env bash
# System packages the test tiers need, from Debian: installs only what is missing.
set -euo pipefail
packages=(postgresql slapd ldap-utils unixodbc tdsodbc chromium)
# npm installs axe-core for the browser tier (tests/e2e/package.json); a Node that
# already brings npm (nodesource's nodejs) is kept.
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "Installing system packages: ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
