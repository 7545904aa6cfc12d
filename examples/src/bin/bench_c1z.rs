//! Writer benchmark: writes N grants (default 1,000,000) with realistic ids through the c1z
//! writer and prints `{grants, wall_s, grants_per_s, peak_rss_mib, c1z_bytes}` as JSON.
//!
//! `cargo run --release -p examples --bin bench_c1z [-- N]`

// A benchmark binary reports on stdout.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use anyhow::Context;
use baton_model::c1z::C1zWriter;
use baton_model::model::ids::{entitlement_id, grant_id, resource_id};
use baton_model::proto::{Entitlement, Grant, Purpose, Resource, ResourceType, Trait};

/// Roles in the synthetic workspace; grants are spread over them.
const ROLES: u64 = 500;

fn main() -> anyhow::Result<()> {
    let n: u64 = match std::env::args().nth(1) {
        Some(a) => a.parse().context("N must be a number")?,
        None => 1_000_000,
    };
    let dir = tempfile::tempdir().context("temp dir")?;
    let out = dir.path().join("bench.c1z");
    let users = n.div_ceil(ROLES).max(1);

    let start = Instant::now();
    let mut w = C1zWriter::create(&out)?;
    w.put_resource_type(&ResourceType {
        id: "collaborator".into(),
        display_name: "Collaborator".into(),
        traits: vec![Trait::User as i32],
        ..Default::default()
    })?;
    w.put_resource_type(&ResourceType {
        id: "role".into(),
        display_name: "Role".into(),
        traits: vec![Trait::Role as i32],
        ..Default::default()
    })?;
    for u in 0..users {
        w.put_resource(&Resource {
            id: Some(resource_id("collaborator", (100_000 + u).to_string())),
            display_name: format!("Collaborator {u}"),
            ..Default::default()
        })?;
    }
    let mut entitlements = Vec::with_capacity(ROLES as usize);
    for r in 0..ROLES {
        let rid = resource_id("role", (1_000 + r).to_string());
        let role = Resource {
            id: Some(rid.clone()),
            display_name: format!("Custom role {r}"),
            ..Default::default()
        };
        w.put_resource(&role)?;
        let ent = Entitlement {
            id: entitlement_id(&rid, "collaborator-has"),
            resource: Some(role),
            display_name: "collaborator-has".into(),
            slug: "collaborator-has".into(),
            purpose: Purpose::Assignment as i32,
            ..Default::default()
        };
        w.put_entitlement(&ent)?;
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
        w.put_grant(&grant)?;
    }
    let summary = w.finish()?;
    let wall = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds();
    let report = serde_json::json!({
        "grants": n,
        "wall_s": (wall * 1000.0).round() / 1000.0,
        "grants_per_s": (n as f64 / wall).round(),
        "peak_rss_mib": peak_rss_mib(),
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
