#!/usr/bin/env bash
# Start `aftersales serve --demo` on a free 127.0.0.1 port with a scratch SQLite file,
# create a token, run the graphql-http audit (audit.mjs) against it, stop the server.
# Exits non-zero when any audit is not ok. Needs `npm ci` done in this folder and the
# project's .venv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
aftersales="$root/.venv/bin/aftersales"

scratch="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

port="$("$root/.venv/bin/python" -c \
  'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export AFTERSALES_DATABASE_URL="sqlite+aiosqlite:///$scratch/conformance.db"
export AFTERSALES_LOG_LEVEL=WARNING

"$aftersales" serve --demo --host 127.0.0.1 --port "$port" >"$scratch/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "the server exited before it was ready:" >&2
    cat "$scratch/server.log" >&2
    exit 1
  fi
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null

AFTERSALES_TOKEN="$("$aftersales" token create --shop demo-pdd --role agent --name conformance)"
export AFTERSALES_TOKEN
node "$here/audit.mjs" "http://127.0.0.1:$port/graphql"
