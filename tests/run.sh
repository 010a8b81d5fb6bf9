#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine, set-up included:
#   bash tests/run.sh [pytest arguments]
# Installs the system packages the tiers need (PostgreSQL, slapd, unixODBC + FreeTDS,
# Chromium, Node/npm), axe-core from tests/e2e/package-lock.json, creates .venv,
# installs requirements-dev.txt, and runs pytest with every tier required: a skipped postgres/ldap/odbc/browser test fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/install_system_packages.sh
# axe-core for the browser tier's accessibility checks, exactly as locked.
npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt

# The Windows wheels of requirements.txt resolve against the package index (fast).
export TABLEFRONT_TEST_PIP_RESOLVE="${TABLEFRONT_TEST_PIP_RESOLVE-1}"
export TABLEFRONT_REQUIRE_TIERS="${TABLEFRONT_REQUIRE_TIERS-postgres,ldap,odbc,browser}"
.venv/bin/python -m ruff check .
exec .venv/bin/python -m pytest "$@"
