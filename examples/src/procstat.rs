//! Process resource usage read from Linux `/proc`: the benchmarks' `peak_rss_mib` and `cpu_s`
//! of this process, and the CPU time and RSS of a child under test (`bench_service`).
//!
//! No `libc` dependency: `VmHWM` in `/proc/self/status` is the peak resident set size, and
//! fields 14–15 of `/proc/self/stat` (`utime`, `stime`) are the CPU time of every thread of
//! the process in clock ticks. Linux fixes the tick unit exposed to user space (`USER_HZ`) at
//! 100 per second on every architecture it supports, so no `sysconf(_SC_CLK_TCK)` call is
//! needed.

use std::io;
use std::time::Duration;

/// Clock ticks per second of `/proc/<pid>/stat` times (`USER_HZ`).
pub const USER_HZ: u64 = 100;

/// Peak resident set size of this process, in bytes (`VmHWM`).
pub fn peak_rss_bytes() -> io::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    parse_vm_hwm(&status).ok_or_else(|| io::Error::other("no VmHWM line in /proc/self/status"))
}

/// User plus system CPU time of this process (all threads).
pub fn cpu_time() -> io::Result<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    parse_cpu_ticks(&stat)
        .map(|ticks| Duration::from_millis(ticks.saturating_mul(1000) / USER_HZ))
        .ok_or_else(|| io::Error::other("unexpected /proc/self/stat format"))
}

/// User plus system CPU time of another process (all its threads), e.g. a child under test.
pub fn cpu_time_of(pid: u32) -> io::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    parse_cpu_ticks(&stat)
        .map(|ticks| Duration::from_millis(ticks.saturating_mul(1000) / USER_HZ))
        .ok_or_else(|| io::Error::other(format!("unexpected /proc/{pid}/stat format")))
}

/// Current resident set size of another process, in bytes (`VmRSS`).
pub fn rss_bytes_of(pid: u32) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    parse_kib_line(&status, "VmRSS:")
        .ok_or_else(|| io::Error::other(format!("no VmRSS line in /proc/{pid}/status")))
}

/// Peak resident set size of another process, in bytes (`VmHWM`).
pub fn peak_rss_bytes_of(pid: u32) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    parse_vm_hwm(&status)
        .ok_or_else(|| io::Error::other(format!("no VmHWM line in /proc/{pid}/status")))
}

/// The `VmHWM` value of a `/proc/<pid>/status` text, in bytes.
pub fn parse_vm_hwm(status: &str) -> Option<u64> {
    parse_kib_line(status, "VmHWM:")
}

/// A `<key> <n> kB` line of a `/proc/<pid>/status` text, in bytes.
fn parse_kib_line(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    let mut fields = line.split_whitespace().skip(1);
    let value: u64 = fields.next()?.parse().ok()?;
    match fields.next() {
        Some("kB") => value.checked_mul(1024),
        _ => None,
    }
}

/// `utime + stime` (clock ticks) of a `/proc/<pid>/stat` line.
///
/// The command name (field 2) is in parentheses and may itself contain spaces and
/// parentheses, so fields are counted from the last `)`.
pub fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let after_comm = &stat[stat.rfind(')')? + 1..];
    // After the command come field 3 (state) onwards; utime is field 14, stime field 15.
    let mut fields = after_comm.split_whitespace().skip(14 - 3);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    utime.checked_add(stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vm_hwm_in_bytes() {
        let status = "Name:\tbench\nVmPeak:\t  900 kB\nVmHWM:\t   2048 kB\nVmRSS:\t 1024 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(2048 * 1024));
        assert_eq!(parse_vm_hwm("VmRSS:\t1 kB\n"), None);
        assert_eq!(parse_vm_hwm("VmHWM:\t12 MB\n"), None);
        assert_eq!(parse_kib_line(status, "VmRSS:"), Some(1024 * 1024));
    }

    #[test]
    fn reads_utime_plus_stime_after_a_tricky_command_name() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
        let stat = "4242 (a) b (c)) S 1 2 3 4 5 6 7 8 9 10 250 75 0 0 20 0 3 0";
        assert_eq!(parse_cpu_ticks(stat), Some(325));
        assert_eq!(parse_cpu_ticks("4242 bench S 1"), None);
        assert_eq!(parse_cpu_ticks("4242 (bench) S 1 2"), None);
    }

    #[test]
    fn this_process_is_measurable() {
        let rss = peak_rss_bytes().expect("VmHWM");
        assert!(rss > 0);
        cpu_time().expect("cpu time");
        let me = std::process::id();
        assert!(rss_bytes_of(me).expect("VmRSS") > 0);
        assert!(peak_rss_bytes_of(me).expect("VmHWM") > 0);
        cpu_time_of(me).expect("cpu time by pid");
    }
}
