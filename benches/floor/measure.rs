//! What a measurement reads from the operating system: the CPU time of this process (all its
//! threads, `getrusage`), a monotonic clock another process can read too (`CLOCK_MONOTONIC`),
//! the resident memory (`/proc/self/status`); and the statistics of samples.

use std::time::Instant;

/// User plus system CPU time of this whole process so far, in nanoseconds.
pub fn process_cpu_ns() -> u64 {
    // SAFETY: getrusage writes into the zeroed struct it is given and reads nothing else.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let ns = |t: libc::timeval| t.tv_sec as u64 * 1_000_000_000 + t.tv_usec as u64 * 1_000;
    ns(usage.ru_utime) + ns(usage.ru_stime)
}

/// `CLOCK_MONOTONIC` in nanoseconds: the same clock in every process of the machine.
pub fn monotonic_ns() -> u64 {
    // SAFETY: clock_gettime writes into the zeroed struct it is given.
    let time = unsafe {
        let mut time: libc::timespec = std::mem::zeroed();
        libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut time);
        time
    };
    time.tv_sec as u64 * 1_000_000_000 + time.tv_nsec as u64
}

/// A field of `/proc/self/status` in kB (`VmRSS`, `VmHWM`).
pub fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

/// Raises this process's open-file limit to its hard limit (10,000 streams need more than
/// the usual 1,024 descriptors).
pub fn raise_open_files() -> u64 {
    // SAFETY: getrlimit/setrlimit read and write the struct they are given.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        limit.rlim_cur = limit.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        limit.rlim_cur as u64
    }
}

/// One sample: the wall and CPU time of a batch of operations, per operation.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub wall_ns: f64,
    pub cpu_ns: f64,
}

/// Times `ops` runs of `op` (the batch is one sample).
pub fn sample(ops: usize, mut op: impl FnMut()) -> Sample {
    let (cpu, wall) = (process_cpu_ns(), Instant::now());
    for _ in 0..ops {
        op();
    }
    let wall = wall.elapsed().as_nanos() as f64;
    let cpu = (process_cpu_ns() - cpu) as f64;
    Sample {
        wall_ns: wall / ops as f64,
        cpu_ns: cpu / ops as f64,
    }
}

/// Minimum, median and maximum of some values.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

impl Stats {
    /// The statistics of `values` (not empty).
    pub fn of(values: impl IntoIterator<Item = f64>) -> Stats {
        let mut values: Vec<f64> = values.into_iter().collect();
        values.sort_by(f64::total_cmp);
        let median = match values.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => values[n / 2],
            n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
        };
        Stats {
            min: values.first().copied().unwrap_or(f64::NAN),
            median,
            max: values.last().copied().unwrap_or(f64::NAN),
        }
    }
}
