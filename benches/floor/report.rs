//! BENCHMARKS.md: the machine, the date, and for each case the floor's and this crate's
//! minimum, median and maximum, with the ratio of the medians and the goal it is held to.

use std::fmt::Write as _;
use std::process::Command;
use std::time::Duration;

use super::measure::{Sample, Stats};
use super::Mode;

/// A timed case: CPU and wall per operation, each side.
pub struct Timed {
    name: &'static str,
    ops: usize,
    floor_cpu: Stats,
    floor_wall: Stats,
    ours_cpu: Stats,
    ours_wall: Stats,
}

impl Timed {
    pub fn new(name: &'static str, ops: usize, floor: &[Sample], ours: &[Sample]) -> Timed {
        let cpu = |samples: &[Sample]| Stats::of(samples.iter().map(|s| s.cpu_ns));
        let wall = |samples: &[Sample]| Stats::of(samples.iter().map(|s| s.wall_ns));
        Timed {
            name,
            ops,
            floor_cpu: cpu(floor),
            floor_wall: wall(floor),
            ours_cpu: cpu(ours),
            ours_wall: wall(ours),
        }
    }

    /// The goal of this case's ratios (the request path is held to 1.10, streams to 1.20).
    fn goal(&self) -> f64 {
        if self.name.starts_with("request") {
            1.10
        } else {
            1.20
        }
    }
}

/// The first-event times, each side.
pub struct Latency {
    floor: Stats,
    ours: Stats,
    runs: usize,
}

impl Latency {
    pub fn new(floor: &[f64], ours: &[f64]) -> Latency {
        Latency {
            floor: Stats::of(floor.iter().copied()),
            ours: Stats::of(ours.iter().copied()),
            runs: floor.len(),
        }
    }
}

/// Resident memory per open stream at a number of streams, each side (bytes).
pub struct Memory {
    streams: usize,
    floor: Stats,
    ours: Stats,
}

impl Memory {
    pub fn new(streams: usize, floor: &[f64], ours: &[f64]) -> Memory {
        Memory {
            streams,
            floor: Stats::of(floor.iter().copied()),
            ours: Stats::of(ours.iter().copied()),
        }
    }
}

/// `x / goal` as "1.07× ✓" or "1.31× ✗ (goal ≤ 1.20×)".
fn ratio(ours: f64, floor: f64, goal: f64) -> String {
    let ratio = ours / floor;
    if ratio <= goal {
        format!("{ratio:.2}× (≤ {goal:.2}: met)")
    } else {
        format!("**{ratio:.2}×** (≤ {goal:.2}: missed)")
    }
}

/// Nanoseconds in a readable unit, for min / median / max.
pub fn times(stats: Stats) -> String {
    let unit = |ns: f64| {
        if stats.median >= 1e6 {
            format!("{:.2}", ns / 1e6)
        } else {
            format!("{:.1}", ns / 1e3)
        }
    };
    let name = if stats.median >= 1e6 { "ms" } else { "µs" };
    format!(
        "{} / **{}** / {} {name}",
        unit(stats.min),
        unit(stats.median),
        unit(stats.max)
    )
}

fn kb(stats: Stats) -> String {
    format!(
        "{:.1} / **{:.1}** / {:.1} KB",
        stats.min / 1024.0,
        stats.median / 1024.0,
        stats.max / 1024.0
    )
}

/// The output of a command, trimmed; empty when it cannot run.
pub fn command(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// The machine: CPU, cores, memory, kernel, rustc and the load average now.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name")?.split_once(':'))
        .map(|(_, name)| name.trim().to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or_else(String::new, |kb| {
            format!(", {:.1} GB RAM", kb as f64 / 1048576.0)
        });
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split(' ').take(3).collect::<Vec<_>>().join(" ");
    format!(
        "{model}, {cores} cores{memory}; Linux {}; {}; load average at the end {load}",
        command("uname", &["-r"]),
        command("rustc", &["-V"]),
    )
}

/// The whole report.
pub fn write(
    mode: Mode,
    timed: &[Timed],
    latency: &Latency,
    memory: &[Memory],
    took: Duration,
) -> String {
    let mut out = String::new();
    let date = command("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let commit = command("git", &["rev-parse", "--short", "HEAD"]);
    let run = if mode.quick { "quick" } else { "full" };
    let _ = writeln!(out, "# Benchmarks: every request path against its floor\n");
    let _ = writeln!(
        out,
        "Written by `scripts/bench.sh{}` ({run} run, {} samples a side, {:.0} s) on {date}, \
         commit {commit}.\n\nMachine: {}.\n",
        if mode.quick { " --quick" } else { "" },
        mode.samples,
        took.as_secs_f64(),
        machine()
    );
    let _ = writeln!(
        out,
        "The floor is plain reqwest + serde_json doing only what the case needs (borrowed \
         structs of the needed fields; `benches/floor/floors.rs`); this crate is \
         `model_request` / `model_request_stream` with every event looked at and the \
         response assembled. The server is a child process on 127.0.0.1, so the CPU time \
         (`getrusage`, all threads) is the client's. Times are per operation: min / **median** \
         / max over the samples; ratios compare medians.\n"
    );
    let _ = writeln!(out, "## CPU and wall time\n");
    let _ = writeln!(
        out,
        "| case | ops/sample | floor CPU | ours CPU | CPU ratio | floor wall | ours wall | wall ratio |"
    );
    let _ = writeln!(out, "|---|---:|---|---|---|---|---|---|");
    for case in timed {
        let goal = case.goal();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            case.name,
            case.ops,
            times(case.floor_cpu),
            times(case.ours_cpu),
            ratio(case.ours_cpu.median, case.floor_cpu.median, goal),
            times(case.floor_wall),
            times(case.ours_wall),
            ratio(case.ours_wall.median, case.floor_wall.median, goal),
        );
    }
    let _ = writeln!(out, "\n## First byte to first event\n");
    let _ = writeln!(
        out,
        "A Chat stream whose first chunk comes 2 ms after the headers and carries the \
         `CLOCK_MONOTONIC` instant the server wrote it; the time is from then to the first \
         event's text in the caller's hands ({} streams a side).\n",
        latency.runs
    );
    let _ = writeln!(out, "| floor | ours | ratio |");
    let _ = writeln!(out, "|---|---|---|");
    let _ = writeln!(
        out,
        "| {} | {} | {} |",
        times(latency.floor),
        times(latency.ours),
        ratio(latency.ours.median, latency.floor.median, 1.20)
    );
    let _ = writeln!(out, "\n## Memory per open stream\n");
    let _ = writeln!(
        out,
        "N streams opened at once in a fresh process, each read up to its first event and held \
         open; the growth of resident memory (VmRSS) divided by N ({} run{} a side).\n",
        mode.memory_runs,
        if mode.memory_runs == 1 { "" } else { "s" }
    );
    let _ = writeln!(out, "| streams | floor | ours | ratio |");
    let _ = writeln!(out, "|---:|---|---|---|");
    for row in memory {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            row.streams,
            kb(row.floor),
            kb(row.ours),
            ratio(row.ours.median, row.floor.median, 1.10)
        );
    }
    out
}
