#!/usr/bin/env bash
# Runs one fuzz target of fuzz/ (cargo fuzz, libFuzzer) for a given time and prints a summary.
#
#   scripts/fuzz.sh TARGET SECONDS     e.g. scripts/fuzz.sh sse 600
#   scripts/fuzz.sh list               the targets
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). On the first run of a
# target its seed corpus is built into fuzz/corpus/<target> from the recorded traffic in
# ../shared/fixtures (or $LLM_FIXTURES) by fuzz/seed; the corpus grows with what the fuzzer
# finds and is not committed. A crash leaves its input in fuzz/artifacts/<target>/; replay it
# with `cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/crash-...`.
# Extra libFuzzer flags may follow: scripts/fuzz.sh sse 60 -jobs=2
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/fuzz"
if [ "${1:-}" = list ]; then
    exec cargo +nightly fuzz list
fi
target=${1:?usage: scripts/fuzz.sh TARGET SECONDS (scripts/fuzz.sh list for the targets)}
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS}
shift 2
fixtures=${LLM_FIXTURES:-$root/../shared/fixtures}

# The seeds of every target are written once (cargo fuzz may create the folders before).
if [ ! -e corpus/.seeded ]; then
    if [ -d "$fixtures/cassettes" ]; then
        cargo run --quiet --release --manifest-path seed/Cargo.toml -- "$fixtures" corpus
        touch corpus/.seeded
    else
        echo "fuzz: no fixtures at $fixtures, starting $target from an empty corpus"
    fi
fi
mkdir -p "corpus/$target"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo +nightly fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 "$@" \
    2>&1 | tee "$log" || status=$?

done_line=$(grep -a -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
done_line=$(echo "$done_line" | sed -E 's/^#[0-9]+[[:space:]]+DONE[[:space:]]+//')
crashes=$(find "artifacts/$target" -type f 2>/dev/null | wc -l)
echo
echo "fuzz summary: target=$target seconds=$seconds executions=${execs:-?} $done_line crash_artifacts=$crashes exit=$status"
exit "$status"
