#!/usr/bin/env bash
# Runs a command with a dynalite DynamoDB-API server on 127.0.0.1 at a free
# port; its URL is in COGNITRIG_DYNAMODB_ENDPOINT. The server is stopped when
# the command ends, whether it passes or fails.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/dynalite ] || npm ci --no-audit --no-fund >&2
out=$(mktemp)
node scripts/dynalite-server.js >"$out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 100); do
  url=$(head -n1 "$out" 2>/dev/null || true)
  case "$url" in http://*) break ;; esac
  if ! kill -0 "$pid" 2>/dev/null; then echo "dynalite failed to start:" >&2; cat "$out" >&2; exit 1; fi
  sleep 0.1
done
case "${url:-}" in http://*) ;; *) echo "dynalite did not report its address" >&2; exit 1 ;; esac
echo "dynalite: $url" >&2
COGNITRIG_DYNAMODB_ENDPOINT="$url" "$@"
