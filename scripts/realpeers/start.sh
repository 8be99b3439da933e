#!/usr/bin/env bash
# Starts the peers installed by setup.sh, on loopback, and waits until both answer:
#   llama.cpp server  http://127.0.0.1:${LLAMA_PORT:-8081}  (OpenAI API under /v1)
#   Prism             http://127.0.0.1:${PRISM_PORT:-4010}  (OpenAI spec, no /v1 prefix)
# PIDs go to $REALPEERS_DIR/{llama,prism}.pid, logs to {llama,prism}.log. A peer that is
# already up is left alone. Gives up after ${REALPEERS_START_TIMEOUT:-180} s. Stop: stop.sh.
# Usage: start.sh [llama] [prism]   (both when none is named)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
R=${REALPEERS_DIR:-$ROOT/.realpeers}
LLAMA_PORT=${LLAMA_PORT:-8081}
PRISM_PORT=${PRISM_PORT:-4010}
TIMEOUT=${REALPEERS_START_TIMEOUT:-180}
WANT_LLAMA=; WANT_PRISM=
[ $# -gt 0 ] || set -- llama prism
for peer in "$@"; do
    case $peer in
        llama) WANT_LLAMA=1 ;;
        prism) WANT_PRISM=1 ;;
        *) echo "realpeers start: unknown peer '$peer' (llama, prism)" >&2; exit 2 ;;
    esac
done

[ -d "$R" ] || { echo "realpeers start: FAILED: $R not found; run scripts/realpeers/setup.sh" >&2; exit 1; }
R=$(cd "$R" && pwd)

alive() { [ -f "$R/$1.pid" ] && kill -0 "$(cat "$R/$1.pid")" 2>/dev/null; }
llama_ready() { curl -sf -m 2 "http://127.0.0.1:$LLAMA_PORT/health" >/dev/null; }
# Any valid Bearer token is accepted; the mock answers GET /models with an example list.
prism_ready() { curl -sf -m 2 -H 'Authorization: Bearer sk-local' "http://127.0.0.1:$PRISM_PORT/models" >/dev/null; }

busy() { echo "realpeers start: FAILED: 127.0.0.1:$1 is already served by another process (not $R/$2.pid)" >&2; exit 1; }
if [ -z "$WANT_LLAMA" ] || alive llama; then :; else
    ! llama_ready || busy "$LLAMA_PORT" llama
    [ -s "$R/models/SmolLM2-135M-Instruct.Q4_1.gguf" ] || { echo "realpeers start: FAILED: model missing; run setup.sh" >&2; exit 1; }
    nohup "$R/venv/bin/python" "$HERE/llama_serve.py" "$R/models/SmolLM2-135M-Instruct.Q4_1.gguf" \
        "$LLAMA_PORT" "$R/templates/Qwen-Qwen2.5-7B-Instruct.jinja" </dev/null >"$R/llama.log" 2>&1 &
    echo $! >"$R/llama.pid"
fi
if [ -z "$WANT_PRISM" ] || alive prism; then :; else
    ! prism_ready || busy "$PRISM_PORT" prism
    [ -x "$R/prism/node_modules/.bin/prism" ] || { echo "realpeers start: FAILED: prism missing; run setup.sh" >&2; exit 1; }
    nohup "$R/prism/node_modules/.bin/prism" mock --host 127.0.0.1 --port "$PRISM_PORT" \
        "$R/openapi.prism.json" </dev/null >"$R/prism.log" 2>&1 &
    echo $! >"$R/prism.pid"
fi

start=$SECONDS
llama_up=; prism_up=
[ -n "$WANT_LLAMA" ] || llama_up=skip
[ -n "$WANT_PRISM" ] || prism_up=skip
while :; do
    if [ -z "$llama_up" ] && llama_ready; then
        llama_up=1
        echo "realpeers start: llama.cpp ready at http://127.0.0.1:$LLAMA_PORT/v1 ($((SECONDS - start)) s, pid $(cat "$R/llama.pid"))"
    fi
    if [ -z "$prism_up" ] && prism_ready; then
        prism_up=1
        echo "realpeers start: prism ready at http://127.0.0.1:$PRISM_PORT ($((SECONDS - start)) s, pid $(cat "$R/prism.pid"))"
    fi
    [ -n "$llama_up" ] && [ -n "$prism_up" ] && exit 0
    for peer in llama prism; do
        if [ "$peer" = llama ] && [ "$llama_up" = skip ]; then continue; fi
        if [ "$peer" = prism ] && [ "$prism_up" = skip ]; then continue; fi
        if ! alive $peer; then
            echo "realpeers start: FAILED: $peer exited; last lines of $R/$peer.log:" >&2
            tail -n 5 "$R/$peer.log" >&2
            exit 1
        fi
    done
    if [ $((SECONDS - start)) -ge "$TIMEOUT" ]; then
        [ -n "$llama_up" ] || echo "realpeers start: FAILED: llama.cpp not ready after $TIMEOUT s (see $R/llama.log)" >&2
        [ -n "$prism_up" ] || echo "realpeers start: FAILED: prism not ready after $TIMEOUT s (see $R/prism.log)" >&2
        exit 1
    fi
    sleep 0.5
done
