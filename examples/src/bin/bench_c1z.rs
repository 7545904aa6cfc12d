//! Writer benchmark: writes N grants (default 1,000,000) with realistic ids through the c1z
//! writer and prints JSON: `wall_s`/`grants_per_s` end to end (building the objects, as a
//! connector would, plus the writer), `writer_s`/`writer_grants_per_s` for the time spent
//! inside writer calls only (`create`, every `put_*`, `finish`; timed around each call, which
//! adds two clock reads per grant), `cpu_s`, `peak_rss_mib` (whole run),
//! `peak_rss_before_finish_mib` (through the last `put_grant`) and `c1z_bytes`.
//!
//! `cargo run --release -p examples --bin bench_c1z [-- N | -- --grants N]`
//!
//! Unlike `bench`, this runs with the system allocator, as a program that embeds `baton-model`
//! does unless it chooses another (`baton-workato` uses mimalloc: D58).

// A benchmark binary reports on stdout.
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use anyhow::Context;
use baton_model::c1z::C1zWriter;
use baton_model::model::ids::{entitlement_id, grant_id, resource_id};
use baton_model::proto::{Entitlement, Grant, Purpose, Resource, ResourceType, Trait};

/// Roles in the synthetic workspace; grants are spread over them.
const ROLES: u64 = 500;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: u64 = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] => 1_000_000,
        ["-h" | "--help"] => {
            println!("usage: bench_c1z [N | --grants N]   (default N = 1000000)");
            return Ok(());
        }
        [n] | ["--grants", n] => n.parse().context("N must be a number")?,
        _ => anyhow::bail!("usage: bench_c1z [N | --grants N]"),
    };
    let dir = tempfile::tempdir().context("temp dir")?;
    let out = dir.path().join("bench.c1z");
    let users = n.div_ceil(ROLES).max(1);

    // Time spent inside writer calls only.
    let mut in_writer = Duration::ZERO;
    macro_rules! timed {
        ($call:expr) => {{
            let t = Instant::now();
            let r = $call;
            in_writer += t.elapsed();
            r
        }};
    }

    let start = Instant::now();
    let mut w = timed!(C1zWriter::create(&out))?;
    timed!(w.put_resource_type(&ResourceType {
        id: "collaborator".into(),
        display_name: "Collaborator".into(),
        traits: vec![Trait::User as i32],
        ..Default::default()
    }))?;
    timed!(w.put_resource_type(&ResourceType {
        id: "role".into(),
        display_name: "Role".into(),
        traits: vec![Trait::Role as i32],
        ..Default::default()
    }))?;
    for u in 0..users {
        let user = Resource {
            id: Some(resource_id("collaborator", (100_000 + u).to_string())),
            display_name: format!("Collaborator {u}"),
            ..Default::default()
        };
        timed!(w.put_resource(&user))?;
    }
    let mut entitlements = Vec::with_capacity(ROLES as usize);
    for r in 0..ROLES {
        let rid = resource_id("role", (1_000 + r).to_string());
        let role = Resource {
            id: Some(rid.clone()),
            display_name: format!("Custom role {r}"),
            ..Default::default()
        };
        timed!(w.put_resource(&role))?;
        let ent = Entitlement {
            id: entitlement_id(&rid, "collaborator-has"),
            resource: Some(role),
            display_name: "collaborator-has".into(),
            slug: "collaborator-has".into(),
            purpose: Purpose::Assignment as i32,
            ..Default::default()
        };
        timed!(w.put_entitlement(&ent))?;
        // Grants carry the SDK's stub entitlement {id, resource: {id}}.
        entitlements.push(Entitlement {
            id: ent.id.clone(),
            resource: Some(Resource {
                id: Some(rid),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    // Grants arrive the way a sync produces them: resource by resource (all grants of one
    // role's entitlement, then the next role's).
    for i in 0..n {
        let ent = &entitlements[(i / users) as usize];
        let principal = resource_id("collaborator", (100_000 + i % users).to_string());
        let grant = Grant {
            id: grant_id(&ent.id, &principal),
            entitlement: Some(ent.clone()),
            principal: Some(Resource {
                id: Some(principal),
                ..Default::default()
            }),
            ..Default::default()
        };
        timed!(w.put_grant(&grant))?;
    }
    // Peak so far = the bulk load; the final peak may come from `finish` (index build, zstd).
    let bulk_peak = peak_rss_mib();
    let summary = timed!(w.finish())?;
    let wall = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds();
    let report = serde_json::json!({
        "grants": n,
        "wall_s": (wall * 1000.0).round() / 1000.0,
        "grants_per_s": (n as f64 / wall).round(),
        "writer_s": (in_writer.as_secs_f64() * 1000.0).round() / 1000.0,
        "writer_grants_per_s": (n as f64 / in_writer.as_secs_f64()).round(),
        "peak_rss_mib": peak_rss_mib(),
        "peak_rss_before_finish_mib": bulk_peak,
        "cpu_s": cpu.map(|c| (c * 1000.0).round() / 1000.0),
        "grants_per_cpu_s": cpu.map(|c| (n as f64 / c).round()),
        "c1z_bytes": summary.c1z_bytes,
    });
    println!("{report}");
    Ok(())
}

/// Peak resident set size (VmHWM) in MiB, or null where /proc is unavailable.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some((kib / 1024.0 * 10.0).round() / 10.0)
}

/// CPU time (user + system) of this process in seconds, from /proc/self/stat (clock ticks of
/// 1/100 s, the Linux USER_HZ).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
