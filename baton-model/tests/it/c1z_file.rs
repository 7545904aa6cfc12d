//! c1z v1 writer and reader: schema, round trips, atomicity, compatibility with Go-written files.

// Row tuples mirror the SQL column lists they are read from.
#![allow(clippy::type_complexity)]

use std::fmt::Write as _;
use std::io::Write as _;
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use baton_model::c1z::{
    framing, schema, timestamp, C1zError, C1zReader, C1zWriter, GrantFilter, Ksuid, ReaderOptions,
    ResourceFilter, Retention, WriterOptions,
};
use baton_model::model::ids::resource_id;
use baton_model::model::{
    EntitlementBuilder, GrantBuilder, Profile, ResourceBuilder, ResourceTypeBuilder,
    UserTraitBuilder,
};
use baton_model::proto::{
    self, Entitlement, Grant, GrantExpandable, Purpose, Resource, ResourceType, Trait,
};
use prost::Message;
use rusqlite::Connection;

/// Written by the Go connector (baton-sdk v0.2.61); copied from the shared fixtures.
const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/workato-small.c1z"
);
/// `baton stats` (v0.7.27) output for [`FIXTURE`].
const FIXTURE_STATS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/workato-small.stats.txt"
);

struct Sample {
    types: Vec<ResourceType>,
    resources: Vec<Resource>,
    entitlements: Vec<Entitlement>,
    grants: Vec<Grant>,
}

fn sample() -> Sample {
    let user_t = ResourceTypeBuilder::new("user", "User")
        .trait_(Trait::User)
        .skip_entitlements_and_grants()
        .build()
        .expect("type");
    let group_t = ResourceTypeBuilder::new("group", "Group")
        .trait_(Trait::Group)
        .build()
        .expect("type");
    let project_t = ResourceTypeBuilder::new("project", "Project")
        .build()
        .expect("type");
    let folder_t = ResourceTypeBuilder::new("folder", "Folder")
        .build()
        .expect("type");
    let alice = ResourceBuilder::new("user", "1", "Alice")
        .user_trait(UserTraitBuilder::new().email("alice@example.com", true))
        .build()
        .expect("user");
    let bob = ResourceBuilder::new("user", "2", "Bob")
        .user_trait(UserTraitBuilder::new().email("bob@example.com", true))
        .build()
        .expect("user");
    let eng = ResourceBuilder::new("group", "eng", "Engineering")
        .group_trait(Profile::new().with("id", 7))
        .build()
        .expect("group");
    let proj = ResourceBuilder::new("project", "p1", "Project One")
        .child_type("folder")
        .build()
        .expect("project");
    let folder = ResourceBuilder::new("folder", "f1", "Folder, one: (x)")
        .parent(resource_id("project", "p1"))
        .build()
        .expect("folder");
    let member = EntitlementBuilder::new(&eng, "member")
        .purpose(Purpose::Assignment)
        .grantable_to(std::slice::from_ref(&user_t))
        .build()
        .expect("ent");
    let admin = EntitlementBuilder::new(&proj, "admin")
        .purpose(Purpose::Permission)
        .build()
        .expect("ent");
    let g1 = GrantBuilder::new(&member, &resource_id("user", "1"))
        .build()
        .expect("grant");
    let g2 = GrantBuilder::new(&member, &resource_id("user", "2"))
        .metadata(Profile::new().with("since", "2024"))
        .source("group:eng:member", true)
        .build()
        .expect("grant");
    let g3 = GrantBuilder::new(&admin, &resource_id("group", "eng"))
        .expandable(&["group:eng:member"], false, &[])
        .build()
        .expect("grant");
    Sample {
        types: vec![user_t, group_t, project_t, folder_t],
        resources: vec![alice, bob, eng, proj, folder],
        entitlements: vec![member, admin],
        grants: vec![g1, g2, g3],
    }
}

fn write_sample(out: &Path) -> String {
    let s = sample();
    let mut w = C1zWriter::create(out).expect("create");
    for t in &s.types {
        w.put_resource_type(t).expect("rt");
    }
    for r in &s.resources {
        w.put_resource(r).expect("r");
    }
    for e in &s.entitlements {
        w.put_entitlement(e).expect("e");
    }
    for g in &s.grants {
        w.put_grant(g).expect("g");
    }
    w.finish().expect("finish").sync_id
}

/// Decompresses a c1z into a plain SQLite file for inspection.
fn raw_db(c1z: &Path, dir: &Path) -> Connection {
    let bytes = std::fs::read(c1z).expect("read");
    assert_eq!(&bytes[..5], b"C1ZF\0");
    let db = zstd::decode_all(&bytes[5..]).expect("zstd");
    let path = dir.join("raw.db");
    std::fs::write(&path, db).expect("write db");
    Connection::open(path).expect("open")
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn schema_matches_go_ddl() {
    let dir = tmp();
    let out = dir.path().join("out.c1z");
    let sync_id = write_sample(&out);
    let conn = raw_db(&out, dir.path());

    let mut report = String::new();
    let mut stmt = conn
        .prepare("select type, name, tbl_name from sqlite_master order by rowid")
        .expect("master");
    let objects: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("q")
        .collect::<Result<_, _>>()
        .expect("rows");
    for (kind, name, table) in &objects {
        if name.starts_with("sqlite_autoindex") {
            continue;
        }
        match kind.as_str() {
            "table" => {
                let count: i64 = conn
                    .query_row(&format!("select count(*) from {name}"), [], |r| r.get(0))
                    .expect("count");
                writeln!(report, "table {name} rows={count}").expect("fmt");
                // The stored DDL keeps the declared types exactly as written (pragma
                // table_info would upper-case some of them).
                let sql: String = conn
                    .query_row(
                        "select sql from sqlite_master where name = ?1",
                        [name],
                        |r| r.get(0),
                    )
                    .expect("sql");
                for line in sql.lines() {
                    writeln!(report, "  | {}", line.trim()).expect("fmt");
                }
            }
            "index" => {
                let (unique, partial): (i64, i64) = conn
                    .query_row(
                        &format!("select \"unique\", partial from pragma_index_list('{table}') where name = ?1"),
                        [name],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .expect("index list");
                let mut cols = conn
                    .prepare(&format!(
                        "select name from pragma_index_info('{name}') order by seqno"
                    ))
                    .expect("info");
                let cols: Vec<String> = cols
                    .query_map([], |r| r.get(0))
                    .expect("q")
                    .collect::<Result<_, _>>()
                    .expect("rows");
                let sql: String = conn
                    .query_row(
                        "select sql from sqlite_master where name = ?1",
                        [name],
                        |r| r.get(0),
                    )
                    .expect("sql");
                let filter = sql
                    .split(" where ")
                    .nth(1)
                    .map(|w| format!(" where {w}"))
                    .unwrap_or_default();
                writeln!(
                    report,
                    "  {}index {name} on {table} ({}){}{}",
                    if unique == 1 { "unique " } else { "" },
                    cols.join(", "),
                    filter,
                    if partial == 1 { " [partial]" } else { "" }
                )
                .expect("fmt");
            }
            other => panic!("unexpected schema object {other} {name}"),
        }
    }

    // The sync run row, with the KSUID and timestamps checked and then redacted.
    let row: (String, String, Option<String>, String, String, String, String, i64) = conn
        .query_row(
            "select sync_id, started_at, ended_at, sync_token, sync_type, parent_sync_id, linked_sync_id,
                    supports_diff from v1_sync_runs",
            [],
            |r| {
                Ok((
                    r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?,
                    r.get(7)?,
                ))
            },
        )
        .expect("sync row");
    assert_eq!(row.0, sync_id);
    let k: Ksuid = row.0.parse().expect("ksuid");
    assert!((k.unix_seconds() - chrono::Utc::now().timestamp()).abs() < 3600);
    let started = timestamp::parse_go(&row.1).expect("started_at");
    let ended = timestamp::parse_go(row.2.as_deref().expect("ended_at set")).expect("ended");
    assert!(ended >= started);
    for t in [&row.1, row.2.as_ref().expect("ended")] {
        assert!(
            !t.contains('T') && !t.ends_with('0') && t.len() >= 19,
            "Go layout: {t}"
        );
    }
    writeln!(
        report,
        "sync_run: sync_id=[ksuid] started_at=[ts] ended_at=[ts] sync_token={:?} sync_type={} parent={:?} linked={:?} supports_diff={}",
        row.3, row.4, row.5, row.6, row.7
    )
    .expect("fmt");

    // Key columns of every row.
    let mut keys = conn
        .prepare(
            "select 'resource', resource_type_id, external_id, coalesce(parent_resource_type_id, 'NULL'), coalesce(parent_resource_id, 'NULL') from v1_resources
             union all select 'entitlement', resource_type_id, resource_id, external_id, '' from v1_entitlements
             union all select 'grant', resource_type_id || '/' || resource_id, entitlement_id, principal_resource_type_id || '/' || principal_resource_id, external_id || ' needs_expansion=' || needs_expansion || ' expansion=' || (expansion is not null) from v1_grants",
        )
        .expect("keys");
    let rows: Vec<(String, String, String, String, String)> = keys
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .expect("q")
        .collect::<Result<_, _>>()
        .expect("rows");
    for r in rows {
        writeln!(report, "{} | {} | {} | {} | {}", r.0, r.1, r.2, r.3, r.4).expect("fmt");
    }
    let all_synced: i64 = conn
        .query_row(
            "select count(*) from (select sync_id from v1_resources union all select sync_id from v1_grants) where sync_id != ?1",
            [&sync_id],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(all_synced, 0, "every row carries the sync id");
    let bad_ts: i64 = conn
        .query_row(
            "select count(*) from v1_grants where discovered_at like '%T%' or typeof(discovered_at) != 'text'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(bad_ts, 0);
    insta::assert_snapshot!("c1z_schema", report);
}

#[test]
fn every_object_kind_round_trips() {
    let dir = tmp();
    let out = dir.path().join("rt.c1z");
    let sync_id = write_sample(&out);
    let s = sample();
    let r = C1zReader::open(&out).expect("open");
    assert_eq!(
        r.current_sync().map(|s| s.sync_id.clone()),
        Some(sync_id.clone())
    );
    let syncs = r.syncs().expect("syncs");
    assert_eq!(syncs.len(), 1);
    assert_eq!(syncs[0].sync_type, "full");
    assert!(syncs[0].ended_at.is_some());

    assert_eq!(r.resource_types().expect("rts"), s.types);
    assert_eq!(
        r.resources(&ResourceFilter::default()).expect("rs"),
        s.resources
    );
    assert_eq!(r.entitlements(None).expect("es"), s.entitlements);
    let mut expected_grants = s.grants.clone();
    // The GrantExpandable is moved out of data into the expansion column.
    expected_grants[2].annotations.clear();
    assert_eq!(
        r.grants(&GrantFilter::default()).expect("gs"),
        expected_grants
    );

    // Filters and get-by-id.
    let users = r
        .resources(&ResourceFilter::of_type("user"))
        .expect("users");
    assert_eq!(users.len(), 2);
    let children = r
        .resources(&ResourceFilter::children_of(resource_id("project", "p1")))
        .expect("children");
    assert_eq!(children, vec![s.resources[4].clone()]);
    assert_eq!(
        r.resource(&resource_id("group", "eng")).expect("get"),
        Some(s.resources[2].clone())
    );
    assert_eq!(
        r.resource(&resource_id("group", "nope")).expect("get"),
        None
    );
    assert_eq!(
        r.resource_type("folder").expect("get"),
        Some(s.types[3].clone())
    );
    assert_eq!(
        r.entitlements(Some(&resource_id("project", "p1")))
            .expect("es")
            .len(),
        1
    );
    assert_eq!(
        r.entitlement("group:eng:member").expect("get"),
        Some(s.entitlements[0].clone())
    );
    assert_eq!(
        r.grants(&GrantFilter::entitlement("group:eng:member"))
            .expect("g")
            .len(),
        2
    );
    assert_eq!(
        r.grants(&GrantFilter::resource_type("project"))
            .expect("g")
            .len(),
        1
    );
    assert_eq!(
        r.grants(&GrantFilter::resource(resource_id("group", "eng")))
            .expect("g")
            .len(),
        2
    );
    assert_eq!(
        r.grants(&GrantFilter::principal(resource_id("user", "2")))
            .expect("g"),
        vec![expected_grants[1].clone()]
    );
    assert_eq!(
        r.grant("project:p1:admin:group:eng").expect("g"),
        Some(expected_grants[2].clone())
    );
    let stats = r.stats().expect("stats");
    assert_eq!(
        stats.rows(),
        vec![
            ("entitlements".to_string(), 2),
            ("folder".to_string(), 1),
            ("grants".to_string(), 3),
            ("group".to_string(), 1),
            ("project".to_string(), 1),
            ("resource_types".to_string(), 4),
            ("user".to_string(), 2),
        ]
    );
}

#[test]
fn grant_expandable_moves_to_expansion_column() {
    let dir = tmp();
    let out = dir.path().join("exp.c1z");
    let s = sample();
    let blank = GrantBuilder::new(&s.entitlements[1], &resource_id("user", "1"))
        .expandable(&[" ", ""], true, &[])
        .build()
        .expect("grant");
    let mut w = C1zWriter::create(&out).expect("create");
    w.put_grant(&s.grants[2]).expect("g");
    w.put_grant(&blank).expect("g");
    w.finish().expect("finish");
    let conn = raw_db(&out, dir.path());
    let rows: Vec<(String, Option<Vec<u8>>, i64, Vec<u8>)> = conn
        .prepare("select external_id, expansion, needs_expansion, data from v1_grants order by id")
        .expect("p")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("q")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(rows.len(), 2);
    let exp =
        GrantExpandable::decode(rows[0].1.as_deref().expect("expansion stored")).expect("decode");
    assert_eq!(exp.entitlement_ids, vec!["group:eng:member".to_string()]);
    assert_eq!(rows[0].2, 1);
    let g = Grant::decode(rows[0].3.as_slice()).expect("grant");
    assert!(g
        .annotations
        .iter()
        .all(|a| !proto::is::<GrantExpandable>(a)));
    // Only blank ids: stripped, stored as NULL/0.
    assert_eq!(rows[1].0, "project:p1:admin:user:1");
    assert_eq!(rows[1].1, None);
    assert_eq!(rows[1].2, 0);
    let g = Grant::decode(rows[1].3.as_slice()).expect("grant");
    assert!(g.annotations.is_empty());
}

#[test]
fn upsert_keeps_first_keys_and_updates_data() {
    let dir = tmp();
    let out = dir.path().join("up.c1z");
    let s = sample();
    let mut w = C1zWriter::create(&out).expect("create");
    let mut folder = s.resources[4].clone();
    assert_eq!(
        w.put_resource(&folder).expect("r"),
        baton_model::c1z::Upsert::Inserted
    );
    folder.parent_resource_id = Some(resource_id("project", "other"));
    folder.display_name = "Renamed".into();
    assert_eq!(
        w.put_resource(&folder).expect("r"),
        baton_model::c1z::Upsert::Updated
    );
    w.finish().expect("finish");
    let conn = raw_db(&out, dir.path());
    let (n, parent, data): (i64, String, Vec<u8>) = conn
        .query_row(
            "select count(*), parent_resource_id, data from v1_resources",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("row");
    assert_eq!(n, 1);
    assert_eq!(parent, "p1", "key columns keep the first write");
    assert_eq!(
        Resource::decode(data.as_slice()).expect("r").display_name,
        "Renamed"
    );
}

#[test]
fn output_is_mode_0600_with_magic_and_checksum() {
    let dir = tmp();
    let out = dir.path().join("mode.c1z");
    write_sample(&out);
    #[cfg(unix)]
    {
        let mode = std::fs::metadata(&out).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let bytes = std::fs::read(&out).expect("read");
    assert_eq!(&bytes[..5], b"C1ZF\0");
    // zstd frame magic, then the frame header descriptor: checksum flag is bit 2.
    assert_eq!(&bytes[5..9], &[0x28, 0xb5, 0x2f, 0xfd]);
    assert_ne!(bytes[9] & 0b100, 0, "content checksum enabled");
    assert_eq!(dir_names(dir.path()), ["mode.c1z", "mode.c1z.lock"]);
}

/// File names in `dir`, sorted.
fn dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn abandoned_or_failed_write_leaves_previous_file_untouched() {
    let dir = tmp();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).expect("mkdir");
    let out = sub.join("keep.c1z");
    write_sample(&out);
    write_sample(&out);
    let before = std::fs::read(&out).expect("read");
    assert_eq!(
        C1zReader::open(&out)
            .expect("open")
            .syncs()
            .expect("syncs")
            .len(),
        2
    );

    // Dropped without finish.
    {
        let s = sample();
        let mut w = C1zWriter::create(&out).expect("create");
        w.put_resource_type(&s.types[0]).expect("rt");
    }
    assert_eq!(std::fs::read(&out).expect("read"), before);
    assert_eq!(dir_names(&sub), ["keep.c1z", "keep.c1z.lock"]);

    // Failing finish: the output's directory is gone (moved away with the previous file)
    // when the temp file is created.
    let s = sample();
    let mut w = C1zWriter::create(&out).expect("create");
    w.put_resource_type(&s.types[1]).expect("rt");
    let moved = dir.path().join("moved");
    std::fs::rename(&sub, &moved).expect("move dir");
    let err = w.finish().expect_err("must fail");
    assert!(matches!(err, C1zError::Io { .. }), "{err:?}");
    assert_eq!(std::fs::read(moved.join("keep.c1z")).expect("read"), before);
    assert_eq!(dir_names(&moved), ["keep.c1z", "keep.c1z.lock"]);
}

/// The sync ids of a c1z, oldest first.
fn sync_ids(path: &Path) -> Vec<String> {
    C1zReader::open(path)
        .expect("open")
        .syncs()
        .expect("syncs")
        .into_iter()
        .map(|s| s.sync_id)
        .collect()
}

fn write_sample_with(out: &Path, options: WriterOptions) -> Result<String, C1zError> {
    let s = sample();
    let mut w = C1zWriter::create_with(out, options)?;
    for t in &s.types {
        w.put_resource_type(t)?;
    }
    for r in &s.resources {
        w.put_resource(r)?;
    }
    for e in &s.entitlements {
        w.put_entitlement(e)?;
    }
    for g in &s.grants {
        w.put_grant(g)?;
    }
    Ok(w.finish()?.sync_id)
}

#[test]
fn a_sync_is_added_to_an_existing_file_and_retention_keeps_two() {
    let dir = tmp();
    let out = dir.path().join("hist.c1z");
    let a = write_sample(&out);
    let b = write_sample(&out);
    assert_eq!(sync_ids(&out), [a.clone(), b.clone()]);
    let r = C1zReader::open(&out).expect("open");
    assert_eq!(r.current_sync().map(|s| s.sync_id.clone()), Some(b.clone()));
    assert_eq!(
        r.stats().expect("stats").grants,
        3,
        "rows of the latest sync only"
    );
    let old = C1zReader::open_with(&out, ReaderOptions::default().sync_id(a.clone()))
        .expect("open old sync");
    assert_eq!(
        old.resources(&ResourceFilter::default()).expect("rs"),
        sample().resources
    );
    drop((r, old));

    // The third sync removes the oldest, with all its rows.
    let c = write_sample(&out);
    assert_eq!(sync_ids(&out), [b.clone(), c.clone()]);
    let dbdir = tmp();
    let conn = raw_db(&out, dbdir.path());
    for table in [
        "v1_resource_types",
        "v1_resources",
        "v1_entitlements",
        "v1_grants",
    ] {
        let n: i64 = conn
            .query_row(
                &format!("select count(*) from {table} where sync_id = ?1"),
                [&a],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(n, 0, "{table} keeps no row of the removed sync");
    }
    let ids: Vec<(i64, String)> = conn
        .prepare("select id, sync_id from v1_sync_runs order by id")
        .expect("p")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("q")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        ids.last().map(|r| r.1.clone()),
        Some(c.clone()),
        "the new run has the highest id"
    );
    let check: String = conn
        .query_row("pragma integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(check, "ok");

    // Keeping three: nothing is removed.
    let d = write_sample_with(&out, WriterOptions::default().retention(keep(3))).expect("write");
    assert_eq!(sync_ids(&out), [b.clone(), c.clone(), d.clone()]);
    // Keeping everything.
    let e = write_sample_with(&out, WriterOptions::default().retention(Retention::KeepAll))
        .expect("write");
    assert_eq!(sync_ids(&out), [b, c, d, e.clone()]);
    // Replacing instead of appending.
    let f =
        write_sample_with(&out, WriterOptions::default().append_to_existing(false)).expect("write");
    assert_ne!(e, f);
    assert_eq!(sync_ids(&out), [f]);
}

fn keep(n: usize) -> Retention {
    Retention::KeepFull(std::num::NonZeroUsize::new(n).expect("positive"))
}

#[test]
fn an_appended_file_has_exactly_the_schema_of_a_new_one() {
    let dir = tmp();
    let fresh = dir.path().join("fresh.c1z");
    let appended = dir.path().join("appended.c1z");
    write_sample(&fresh);
    write_sample(&appended);
    write_sample(&appended);
    let master = |c1z: &Path| -> Vec<(String, String, Option<String>)> {
        let d = tmp();
        let conn = raw_db(c1z, d.path());
        let rows = conn
            .prepare("select type, name, sql from sqlite_master order by rowid")
            .expect("p")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("q")
            .collect::<Result<_, _>>()
            .expect("rows");
        rows
    };
    assert_eq!(master(&appended), master(&fresh));
}

#[test]
fn an_existing_file_that_is_not_a_c1z_is_refused_and_left_alone() {
    let dir = tmp();
    for (name, bytes) in [
        ("junk.c1z", b"SQLite format 3\0".as_slice()),
        ("v3.c1z", b"C1Z3\0\0\0\0\x04abcd".as_slice()),
        ("torn.c1z", b"C1ZF\0\x28\xb5\x2f\xfd".as_slice()),
    ] {
        let out = write_file(dir.path(), name, bytes);
        let err = write_sample_with(&out, WriterOptions::default()).expect_err("refused");
        assert!(matches!(err, C1zError::Unreadable { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains(name) && text.contains("delete"), "{text}");
        assert_eq!(
            std::fs::read(&out).expect("read"),
            bytes,
            "{name} untouched"
        );
    }
    // A zstd stream of something that is not a c1z database.
    let db = dir.path().join("plain.db");
    Connection::open(&db)
        .expect("open")
        .execute_batch("create table t (x)")
        .expect("ddl");
    let out = dir.path().join("other.c1z");
    framing::write_c1z(&db, &out, 3).expect("write");
    let before = std::fs::read(&out).expect("read");
    let err = write_sample_with(&out, WriterOptions::default()).expect_err("refused");
    assert!(format!("{:?}", err).contains("MissingTable"), "{err:?}");
    assert_eq!(std::fs::read(&out).expect("read"), before);
    // An empty file is a new file, as for baton-sdk.
    let empty = write_file(dir.path(), "empty.c1z", b"");
    write_sample_with(&empty, WriterOptions::default()).expect("empty file is new");
    assert_eq!(sync_ids(&empty).len(), 1);
}

#[test]
fn a_second_writer_of_the_same_file_fails_fast() {
    let dir = tmp();
    let out = dir.path().join("busy.c1z");
    let first = C1zWriter::create(&out).expect("first");
    let err = C1zWriter::create(&out).expect_err("second");
    assert!(matches!(err, C1zError::Busy { .. }), "{err:?}");
    assert!(err.to_string().contains("busy.c1z"), "{err}");
    first.finish().expect("finish");
    write_sample(&out);
    assert_eq!(sync_ids(&out).len(), 2);
}

#[test]
fn stale_temp_files_of_killed_writers_are_removed() {
    let dir = tmp();
    let out = dir.path().join("s.c1z");
    let stale = write_file(dir.path(), ".s.c1z.AbC123.tmp", b"half");
    let legacy = write_file(dir.path(), "s.c1z.tmp", b"half");
    let other = write_file(dir.path(), ".other.c1z.AbC123.tmp", b"not ours");
    write_sample(&out);
    assert!(!stale.exists() && !legacy.exists());
    assert!(other.exists(), "another output's temp file is not touched");
    assert!(framing::is_temp_of(&out, ".s.c1z.x.tmp"));
    assert!(!framing::is_temp_of(&out, ".s.c1z..tmp.bak"));
}

#[test]
fn a_sync_is_added_to_a_go_written_file() {
    let dir = tmp();
    let out = dir.path().join("go.c1z");
    std::fs::copy(FIXTURE, &out).expect("copy fixture");
    let new = write_sample(&out);
    assert_eq!(
        sync_ids(&out),
        ["3MhOZUPzlmVvNxkLxE54J1UwpHk".to_string(), new.clone()]
    );
    let r = C1zReader::open(&out).expect("open");
    assert_eq!(r.current_sync().map(|s| s.sync_id.clone()), Some(new));
    let go = C1zReader::open_with(
        &out,
        ReaderOptions::default().sync_id("3MhOZUPzlmVvNxkLxE54J1UwpHk"),
    )
    .expect("the Go sync is still there");
    assert_eq!(
        go.stats().expect("stats").rows(),
        parse_stats(FIXTURE_STATS)
    );
    let d = tmp();
    let conn = raw_db(&out, d.path());
    let check: String = conn
        .query_row("pragma integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(check, "ok");
    let cols: i64 = conn
        .query_row(
            "select count(*) from pragma_table_info('v1_sync_runs')",
            [],
            |r| r.get(0),
        )
        .expect("cols");
    assert_eq!(cols, 9);
}

fn data_blobs(c1z: &Path, dir: &Path) -> Vec<(String, String, Vec<u8>)> {
    let conn = raw_db(c1z, dir);
    let rows = conn
        .prepare(
            "select 'rt', external_id, data from v1_resource_types
         union all select 'r', external_id, data from v1_resources
         union all select 'e', external_id, data from v1_entitlements
         union all select 'g', external_id, data from v1_grants",
        )
        .expect("p")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("q")
        .collect::<Result<_, _>>()
        .expect("rows");
    rows
}

#[test]
fn data_blobs_are_deterministic() {
    let dir = tmp();
    let (a, b) = (dir.path().join("a.c1z"), dir.path().join("b.c1z"));
    let id_a = write_sample(&a);
    let id_b = write_sample(&b);
    assert_ne!(id_a, id_b, "each write gets a fresh sync id");
    let da = tmp();
    let db = tmp();
    let blobs = data_blobs(&a, da.path());
    assert_eq!(blobs.len(), 14);
    assert_eq!(blobs, data_blobs(&b, db.path()));
}

fn parse_stats(path: &str) -> Vec<(String, u64)> {
    let text = std::fs::read_to_string(path).expect("stats");
    let mut rows: Vec<(String, u64)> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let (k, v) = l.split_once('|')?;
            Some((k.trim().to_string(), v.trim().parse().ok()?))
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn go_fixture_opens_and_matches_stats() {
    let r = C1zReader::open(FIXTURE).expect("open Go-written c1z");
    let sync = r.current_sync().expect("finished sync").clone();
    assert_eq!(sync.sync_id, "3MhOZUPzlmVvNxkLxE54J1UwpHk");
    assert_eq!(sync.sync_type, "full", "missing column defaults to full");
    assert!(sync.ended_at.is_some());
    assert_eq!(r.stats().expect("stats").rows(), parse_stats(FIXTURE_STATS));
    // Objects decode and filters work on the older schema.
    let roles = r
        .resources(&ResourceFilter::of_type("role"))
        .expect("roles");
    assert_eq!(roles.len(), 6);
    let grants = r.grants(&GrantFilter::default()).expect("grants");
    assert_eq!(grants.len(), 193);
    for g in &grants {
        let e = g.entitlement.as_ref().expect("entitlement");
        assert!(g.id.starts_with(&e.id), "{}", g.id);
    }
    let first = &grants[0];
    assert_eq!(r.grant(&first.id).expect("get"), Some(first.clone()));
    let by_principal = r
        .grants(&GrantFilter::principal(
            first
                .principal
                .as_ref()
                .and_then(|p| p.id.clone())
                .expect("principal"),
        ))
        .expect("by principal");
    assert!(by_principal.contains(first));
    let opened = C1zReader::open_with(
        FIXTURE,
        ReaderOptions::default().sync_id("3MhOZUPzlmVvNxkLxE54J1UwpHk"),
    )
    .expect("explicit sync");
    assert_eq!(opened.stats().expect("stats").grants, 193);
    assert!(matches!(
        C1zReader::open_with(FIXTURE, ReaderOptions::default().sync_id("nope")),
        Err(C1zError::SyncNotFound(_))
    ));
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

#[test]
fn rejects_v3_bad_magic_and_empty_files() {
    let dir = tmp();
    let v3 = write_file(dir.path(), "v3.c1z", b"C1Z3\0\0\0\0\x04abcd");
    let err = C1zReader::open(&v3).expect_err("v3");
    assert!(matches!(err, C1zError::UnsupportedV3));
    assert!(err.to_string().contains("unsupported c1z v3"));
    let empty = write_file(dir.path(), "empty.c1z", b"");
    assert!(matches!(C1zReader::open(&empty), Err(C1zError::Empty)));
    let junk = write_file(dir.path(), "junk.c1z", b"SQLite format 3\0");
    assert!(matches!(C1zReader::open(&junk), Err(C1zError::BadMagic)));
}

#[test]
fn accepts_multiple_and_skippable_frames_and_enforces_size_cap() {
    let dir = tmp();
    let out = dir.path().join("one.c1z");
    write_sample(&out);
    let bytes = std::fs::read(&out).expect("read");
    let db = zstd::decode_all(&bytes[5..]).expect("decode");
    let (a, b) = db.split_at(db.len() / 3);
    let mut multi = b"C1ZF\0".to_vec();
    multi.extend(zstd::encode_all(a, 1).expect("enc"));
    // A skippable frame between the data frames (magic 0x184D2A50, LE length, payload).
    multi.extend([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    let mut enc = zstd::Encoder::new(Vec::new(), 5).expect("enc");
    enc.include_checksum(false).expect("cfg");
    enc.write_all(b).expect("w");
    multi.extend(enc.finish().expect("fin"));
    let p = write_file(dir.path(), "multi.c1z", &multi);
    let r = C1zReader::open(&p).expect("multi-frame c1z");
    assert_eq!(r.stats().expect("stats").grants, 3);

    let err = C1zReader::open_with(&out, ReaderOptions::default().max_decoded_bytes(4096))
        .expect_err("cap");
    assert!(matches!(err, C1zError::TooLarge { limit: 4096 }));
}

/// Builds a c1z with hand-made sync runs to check which sync the reader shows.
fn syncs_file(dir: &Path, runs: &[(&str, &str, Option<&str>, &str)]) -> PathBuf {
    let db = dir.join("runs.db");
    let _ = std::fs::remove_file(&db);
    let conn = Connection::open(&db).expect("open");
    schema::create(&conn).expect("ddl");
    for (i, (id, started, ended, ty)) in runs.iter().enumerate() {
        conn.execute(
            "insert into v1_sync_runs (sync_id, started_at, ended_at, sync_token, sync_type) values (?1, ?2, ?3, '', ?4)",
            rusqlite::params![id, started, ended, ty],
        )
        .expect("run");
        conn.execute(
            "insert into v1_resource_types (external_id, data, sync_id, discovered_at) values (?1, x'', ?2, ?3)",
            rusqlite::params![format!("t{i}"), id, started],
        )
        .expect("rt");
    }
    drop(conn);
    let out = dir.join(format!("runs{}.c1z", runs.len()));
    framing::write_c1z(&db, &out, 3).expect("write");
    out
}

#[test]
fn reader_picks_sync_like_go() {
    let dir = tmp();
    let now = chrono::Utc::now();
    let ts = |days: i64| timestamp::format_go(&(now - chrono::Duration::days(days)));
    let (old, newer, partial, recent, stale) = (ts(10), ts(9), ts(1), ts(2), ts(8));
    // Newest finished full by ended_at wins over a later-finished partial and an unfinished one.
    let p = syncs_file(
        dir.path(),
        &[
            ("A", &old, Some(&newer), "full"),
            ("B", &old, Some(&old), "full"),
            ("C", &old, Some(&partial), "partial"),
            ("D", &recent, None, "full"),
        ],
    );
    let r = C1zReader::open(&p).expect("open");
    assert_eq!(r.current_sync().map(|s| s.sync_id.as_str()), Some("A"));
    assert_eq!(
        r.resource_types().expect("rts").len(),
        1,
        "rows filtered by sync"
    );
    let r = C1zReader::open_with(&p, ReaderOptions::default().sync_id("D")).expect("open");
    assert_eq!(r.current_sync().map(|s| s.sync_id.as_str()), Some("D"));
    // No finished full: newest unfinished within 7 days.
    let p = syncs_file(
        dir.path(),
        &[
            ("S", &stale, None, "full"),
            ("R", &recent, None, "partial"),
            ("Q", &stale, None, "full"),
        ],
    );
    let r = C1zReader::open(&p).expect("open");
    assert_eq!(r.current_sync().map(|s| s.sync_id.as_str()), Some("R"));
    // Only stale unfinished syncs: no filter at all.
    let p = syncs_file(
        dir.path(),
        &[("S", &stale, None, "full"), ("T", &old, None, "full")],
    );
    let r = C1zReader::open(&p).expect("open");
    assert!(r.current_sync().is_none());
    assert_eq!(r.resource_types().expect("rts").len(), 2);
}

/// Writes the sample with one grant dropped, one added and one resource renamed.
fn write_changed_sample(out: &Path) -> String {
    let mut s = sample();
    s.grants.remove(0);
    let extra = GrantBuilder::new(&s.entitlements[1], &resource_id("user", "1"))
        .build()
        .expect("grant");
    s.grants.push(extra);
    s.resources[1].display_name = "Robert".into();
    let mut w = C1zWriter::create(out).expect("create");
    for t in &s.types {
        w.put_resource_type(t).expect("rt");
    }
    for r in &s.resources {
        w.put_resource(r).expect("r");
    }
    for e in &s.entitlements {
        w.put_entitlement(e).expect("e");
    }
    for g in &s.grants {
        w.put_grant(g).expect("g");
    }
    w.finish().expect("finish").sync_id
}

#[test]
fn diff_of_two_syncs_in_one_file_and_in_two_files() {
    use baton_model::c1z::diff::latest_two_full_syncs;
    let dir = tmp();
    let out = dir.path().join("diff.c1z");
    let a = write_sample(&out);
    let b = write_changed_sample(&out);
    let r = C1zReader::open(&out).expect("open");
    assert_eq!(
        latest_two_full_syncs(&r).expect("syncs"),
        Some((a.clone(), b.clone()))
    );
    let d = baton_model::c1z::diff(&r, &a, &r, &b).expect("diff");
    let ids = |g: &[Grant]| g.iter().map(|g| g.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&d.grants.created), ["project:p1:admin:user:1"]);
    assert_eq!(ids(&d.grants.deleted), ["group:eng:member:user:1"]);
    assert!(d.grants.modified.is_empty());
    assert!(d.resources.created.is_empty() && d.resources.deleted.is_empty());
    assert_eq!(d.resources.modified.len(), 1);
    assert_eq!(d.resources.modified[0].display_name, "Robert");
    assert!(d.entitlements.is_empty());
    // Reversed: what was created is deleted.
    let back = baton_model::c1z::diff(&r, &b, &r, &a).expect("diff");
    assert_eq!(back.grants.created, d.grants.deleted);
    assert_eq!(back.grants.deleted, d.grants.created);
    // Identical syncs.
    assert!(baton_model::c1z::diff(&r, &a, &r, &a)
        .expect("diff")
        .is_empty());

    // Two files: the same answer.
    let other = dir.path().join("base.c1z");
    let base_id = write_sample(&other);
    let base = C1zReader::open(&other).expect("open");
    let d2 = baton_model::c1z::diff(&base, &base_id, &r, &b).expect("diff");
    assert_eq!(
        (d2.grants, d2.resources),
        (d.grants.clone(), d.resources.clone())
    );
    // The base file's database is detached again: a second diff works too.
    assert!(baton_model::c1z::diff(&base, &base_id, &r, &b).is_ok());
    assert!(matches!(
        baton_model::c1z::diff(&r, "nope", &r, &b),
        Err(C1zError::SyncNotFound(_))
    ));

    // The `baton diff` JSON shape.
    let json = baton_model::json::diff_output(&d).expect("json").to_value();
    let grant_ids = |kind: &str| -> Vec<String> {
        json["grants"][kind]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|g| g["id"].as_str().expect("id").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(grant_ids("created"), ["project:p1:admin:user:1"]);
    assert_eq!(grant_ids("deleted"), ["group:eng:member:user:1"]);
    assert!(
        json["grants"].get("modified").is_none(),
        "empty lists are omitted"
    );
    assert_eq!(json["entitlements"], serde_json::json!({}));
    assert_eq!(json["resources"]["modified"][0]["displayName"], "Robert");
}

#[test]
fn a_newer_schema_file_is_appended_to_with_the_v0_7_27_column_set() {
    // A file with sync_runs columns newer than baton-sdk v0.7.27 (as earlier versions of this
    // writer produced): the new file keeps the 9 columns, and the old run with them.
    let dir = tmp();
    let db = dir.path().join("newer.db");
    let conn = Connection::open(&db).expect("open");
    schema::create(&conn).expect("ddl");
    conn.execute_batch(
        "alter table v1_sync_runs add column grants_backfilled integer not null default 0;
         alter table v1_sync_runs add column stats text;
         insert into v1_sync_runs (sync_id, started_at, ended_at, sync_token, sync_type, supports_diff, grants_backfilled, stats)
           values ('OLD', '2026-11-30 10:00:00', '2026-11-30 10:01:00', '', 'full', 1, 1, '{}');
         insert into v1_resource_types (external_id, data, sync_id, discovered_at)
           values ('user', x'0a0475736572', 'OLD', '2026-11-30 10:00:00');",
    )
    .expect("old rows");
    drop(conn);
    let out = dir.path().join("newer.c1z");
    framing::write_c1z(&db, &out, 3).expect("write");
    let new = write_sample(&out);
    assert_eq!(sync_ids(&out), ["OLD".to_string(), new]);
    let d = tmp();
    let conn = raw_db(&out, d.path());
    let cols: Vec<String> = conn
        .prepare("select name from pragma_table_info('v1_sync_runs')")
        .expect("p")
        .query_map([], |r| r.get(0))
        .expect("q")
        .collect::<Result<_, _>>()
        .expect("cols");
    assert_eq!(cols.len(), 9, "{cols:?}");
    let old_rt: i64 = conn
        .query_row(
            "select count(*) from v1_resource_types where sync_id = 'OLD'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(old_rt, 1);
}
