//! The "Peers" section of BENCHMARKS.md: for each case, every contender's CPU and wall time per
//! operation (min / **median** / max) and the ratio of its medians to the floor's.

use std::fmt::Write as _;
use std::time::Duration;

use super::measure::{Sample, Stats};
use super::report::{command, machine, times};
use super::Mode;

/// A case: its contenders' samples, the floor first.
pub struct Case {
    pub name: &'static str,
    pub ops: usize,
    pub results: Vec<(&'static str, Vec<Sample>)>,
}

/// The section, from its `## Peers` heading on.
pub fn write(mode: Mode, cases: &[Case], took: Duration) -> String {
    let mut out = String::new();
    let date = command("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let commit = command("git", &["rev-parse", "--short", "HEAD"]);
    let run = if mode.quick { "quick" } else { "full" };
    let _ = writeln!(out, "## Peers\n");
    let _ = writeln!(
        out,
        "Written by `scripts/bench.sh --peers{}` ({run} run, {} samples each, {:.0} s) on \
         {date}, commit {commit}. Machine: {}.\n",
        if mode.quick { " --quick" } else { "" },
        mode.samples,
        took.as_secs_f64(),
        machine()
    );
    let _ = writeln!(
        out,
        "The same cases, server and measurement as above, with the Rust peers next to the floor \
         and this crate, in one run of the separate package `bench-peers/` (outside the \
         workspace; CI does not build it). Each peer goes through its normal public API at a \
         local base URL and reads every event: async-openai `chat().create` / \
         `create_stream`; genai `exec_chat` / `exec_chat_stream` (a `ServiceTargetResolver` \
         gives the endpoint); rig-core `Model::call` / `Model::stream` of \
         `OpenAIConfig::chat` and `AnthropicConfig::completion`. The versions are the newest \
         that build with rustc 1.95 (rig-core 0.46 needs 1.97). async-openai speaks OpenAI \
         only, so it has no Anthropic row. Samples rotate through the contenders; ratios \
         compare medians with the floor's.\n"
    );
    let _ = writeln!(
        out,
        "| case | client | ops/sample | CPU | CPU ÷ floor | wall | wall ÷ floor |"
    );
    let _ = writeln!(out, "|---|---|---:|---|---:|---|---:|");
    for case in cases {
        let stats = |samples: &[Sample], cpu: bool| {
            Stats::of(
                samples
                    .iter()
                    .map(|s| if cpu { s.cpu_ns } else { s.wall_ns }),
            )
        };
        let Some((_, floor)) = case.results.first() else {
            continue;
        };
        let (floor_cpu, floor_wall) = (stats(floor, true), stats(floor, false));
        for (name, samples) in &case.results {
            let (cpu, wall) = (stats(samples, true), stats(samples, false));
            let _ = writeln!(
                out,
                "| {} | {name} | {} | {} | {:.2}× | {} | {:.2}× |",
                case.name,
                case.ops,
                times(cpu),
                cpu.median / floor_cpu.median,
                times(wall),
                wall.median / floor_wall.median,
            );
        }
    }
    out
}
