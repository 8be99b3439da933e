#!/usr/bin/env bash
# Stops the peers started by start.sh (by the PIDs in $REALPEERS_DIR/*.pid). Idempotent.
# Usage: stop.sh [llama] [prism]   (both when none is named)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
R=${REALPEERS_DIR:-$ROOT/.realpeers}

[ $# -gt 0 ] || set -- llama prism
for peer in "$@"; do
    case $peer in
        llama | prism) ;;
        *) echo "realpeers stop: unknown peer '$peer' (llama, prism)" >&2; exit 2 ;;
    esac
    pidfile="$R/$peer.pid"
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
        echo "realpeers stop: $peer stopped (pid $pid)"
    fi
    rm -f "$pidfile"
done
