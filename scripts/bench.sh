#!/usr/bin/env bash
# Measures every request path of llm-runtime against its floor (plain reqwest + serde_json)
# in one run and writes BENCHMARKS.md at the project root: request CPU and wall, each
# protocol's stream CPU and wall, first-event latency, a 1 MB and a 10 MB SSE line, memory
# per open stream at 2,000 and 10,000 streams. See benches/floor/main.rs.
#
#   scripts/bench.sh            the full run (about 2 minutes once built, on 2 cores)
#   scripts/bench.sh --quick    fewer samples, one memory run each (about 30 seconds)
#   scripts/bench.sh --peers    only the "Peers" section: the floor, this crate, async-openai,
#                               genai and rig-core on the request and the Chat and Anthropic
#                               streams (bench-peers/, its own package outside the workspace;
#                               its first release build takes 10-15 minutes on 2 cores). It
#                               replaces the section at the end of the report; a run without
#                               --peers keeps the section it finds there, dated as it was.
#
# Environment: CARGO_BUILD_JOBS as usual; BENCH_OUT for another report path.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=()
peers=false
for arg in "$@"; do
    case "$arg" in
        --quick) quick=(--quick) ;;
        --peers) peers=true ;;
        *) echo "usage: scripts/bench.sh [--quick] [--peers]" >&2; exit 2 ;;
    esac
done
out="${BENCH_OUT:-$PWD/BENCHMARKS.md}"
# The "Peers" section of the report as it is now (from its heading to the end), if any.
peers_section() {
    [ -f "$out" ] && sed -n '/^## Peers$/,$p' "$out"
}
# The report without its "Peers" section.
floor_sections() {
    sed '/^## Peers$/,$d' "$out"
}
if $peers; then
    [ -f "$out" ] || { echo "$out does not exist: run scripts/bench.sh first" >&2; exit 1; }
    cargo build --release --manifest-path bench-peers/Cargo.toml
    section="$(mktemp)"
    bench-peers/target/release/bench-peers "${quick[@]}" --out "$section"
    report="$(floor_sections)"
    printf '%s\n\n%s' "$report" "$(cat "$section")" | sed -e '$a\' > "$out"
    rm -f "$section"
    echo "wrote the Peers section of $out"
    exit 0
fi
kept="$(peers_section || true)"
# The report needs 10,256 descriptors a side for 10,000 streams: the hard limit must allow it.
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt 10300 ]; then
    echo "the open-file hard limit ($(ulimit -Hn)) is under 10,300: raise it for the 10,000-stream case" >&2
    exit 1
fi
cargo bench --bench floor --no-run
cargo bench --bench floor -- "${quick[@]}" --out "$out" > /dev/null
if [ -n "$kept" ]; then
    printf '\n%s\n' "$kept" >> "$out"
fi
echo "wrote $out"
