#!/usr/bin/env bash
# Measures every request path of llm-runtime against its floor (plain reqwest + serde_json)
# in one run and writes BENCHMARKS.md at the project root: request CPU and wall, each
# protocol's stream CPU and wall, first-event latency, a 1 MB and a 10 MB SSE line, memory
# per open stream at 2,000 and 10,000 streams. See benches/floor/main.rs.
#
#   scripts/bench.sh            the full run (about 2 minutes once built, on 2 cores)
#   scripts/bench.sh --quick    fewer samples, one memory run each (about 30 seconds)
#
# Environment: CARGO_BUILD_JOBS as usual; BENCH_OUT for another report path.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=()
for arg in "$@"; do
    case "$arg" in
        --quick) quick=(--quick) ;;
        *) echo "usage: scripts/bench.sh [--quick]" >&2; exit 2 ;;
    esac
done
out="${BENCH_OUT:-$PWD/BENCHMARKS.md}"
# The report needs 10,256 descriptors a side for 10,000 streams: the hard limit must allow it.
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt 10300 ]; then
    echo "the open-file hard limit ($(ulimit -Hn)) is under 10,300: raise it for the 10,000-stream case" >&2
    exit 1
fi
cargo bench --bench floor --no-run
cargo bench --bench floor -- "${quick[@]}" --out "$out" > /dev/null
echo "wrote $out"
