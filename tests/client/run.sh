#!/usr/bin/env bash
# Runs the client suite: the real masto and megalodon packages against a stoa binary.
# The binary is $STOA_BIN (default <repo>/build/stoa). Exits non-zero when any test fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export STOA_BIN="${STOA_BIN:-$repo/build/stoa}"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "client suite: node and npm are required (apt-get install nodejs npm)" >&2
  exit 1
fi
if [[ ! -x "$STOA_BIN" ]]; then
  echo "client suite: $STOA_BIN is missing; build it first (make build) or set STOA_BIN" >&2
  exit 1
fi

# Install the exact versions of package-lock.json when node_modules is missing or older than it.
if [[ ! -d "$here/node_modules" || "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

# One test file at a time (each starts its own server). The spec reporter is for people; the TAP
# copy provides the "# pass N / # fail N" summary printed at the end.
cd "$here"
tap="$(mktemp "${TMPDIR:-/tmp}/stoa-client-tap.XXXXXX")"
trap 'rm -f "$tap"' EXIT
status=0
node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  ./*.test.mjs || status=$?
echo "client suite (masto $(node -p 'require("./node_modules/masto/package.json").version'), megalodon $(node -p 'require("./node_modules/megalodon/package.json").version'), node $(node --version)):"
grep -E '^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ' "$tap" || true
exit "$status"
