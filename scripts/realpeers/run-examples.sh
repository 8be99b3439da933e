#!/usr/bin/env bash
# Runs the examples `low_level_basic`, `streaming` and `tool_calling` against a real local model:
# llama.cpp's own server with SmolLM2-135M-Instruct, installed (setup.sh) and started
# (start.sh llama) here, reached through the `openai:` provider with OPENAI_BASE_URL.
# A server this script started is stopped at the end; one already running is left alone.
#
# Usage: scripts/realpeers/run-examples.sh
# Knobs: REALPEERS_DIR (<project>/.realpeers), LLAMA_PORT (8081), and those of setup.sh.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export REALPEERS_DIR=${REALPEERS_DIR:-$ROOT/.realpeers}
export LLAMA_PORT=${LLAMA_PORT:-8081}
say() { echo "run-examples: $*"; }

"$HERE/setup.sh"
already_running=
if [ -f "$REALPEERS_DIR/llama.pid" ] && kill -0 "$(cat "$REALPEERS_DIR/llama.pid")" 2>/dev/null; then
    already_running=1
fi
"$HERE/start.sh" llama
[ -n "$already_running" ] || trap '"$HERE/stop.sh" llama' EXIT

# Any model name and any key: llama.cpp serves its one model and checks no key.
export LLM_MODEL=openai:smollm2
export OPENAI_BASE_URL=http://127.0.0.1:$LLAMA_PORT/v1
export OPENAI_API_KEY=sk-local
say "LLM_MODEL=$LLM_MODEL OPENAI_BASE_URL=$OPENAI_BASE_URL"

cd "$ROOT"
echo
echo "\$ cargo run --example low_level_basic"
cargo run -q --example low_level_basic

echo
echo "\$ cargo run --example streaming"
cargo run -q --example streaming

echo
echo "\$ cargo run --example tool_calling"
output=$(cargo run -q --example tool_calling)
printf '%s\n' "$output"
echo
# The example prints the response it got; say plainly which way the tiny model went.
if grep -q 'ToolCall(' <<<"$output"; then
    say "the model called the \`divide\` tool; the example sent the result back (above)"
else
    say "note: SmolLM2-135M answered in prose without calling \`divide\`: a model this small"
    say "calls tools only after a few-shot history of earlier calls (tests/llama_cpp.rs does"
    say "that with scripts/realpeers/fewshot_weather.json); a larger model calls it"
fi
