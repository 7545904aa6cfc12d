//! The exact SQLite DDL of a c1z v1 file (docs/c1z.md#schema), in Go's creation order.
//!
//! Go re-runs this DDL every time it opens a file, so every name and declared type must match
//! byte for byte what baton-sdk writes; an index with another name would be created twice.

/// Table and index statements in creation order: each table followed by its indexes.
pub const DDL: &[&str] = &[
    "create table if not exists v1_resource_types (
    id integer primary key,
    external_id text not null,
    data blob not null,
    sync_id text not null,
    discovered_at datetime not null
)",
    "create unique index if not exists idx_resource_types_external_sync_v1 on v1_resource_types (external_id, sync_id)",
    "create table if not exists v1_resources (
    id integer primary key,
    resource_type_id text not null,
    external_id text not null,
    parent_resource_type_id text,
    parent_resource_id text,
    data blob not null,
    sync_id text not null,
    discovered_at datetime not null
)",
    "create index if not exists idx_resources_resource_type_id_v1 on v1_resources (resource_type_id)",
    // Go's names for the next two are swapped relative to their columns; reproduce them exactly.
    "create index if not exists idx_resources_external_sync_v1 on v1_resources (parent_resource_type_id, parent_resource_id)",
    "create unique index if not exists idx_resources_parent_resource_id_v1 on v1_resources (external_id, sync_id)",
    "create table if not exists v1_entitlements (
    id integer primary key,
    resource_type_id text not null,
    resource_id text not null,
    external_id text not null,
    data blob not null,
    sync_id text not null,
    discovered_at datetime not null
)",
    "create index if not exists idx_entitlements_resource_id_v1 on v1_entitlements (resource_type_id, resource_id)",
    "create unique index if not exists idx_entitlements_external_sync_v1 on v1_entitlements (external_id, sync_id)",
    // sync_runs precedes grants: Go's grants migration joins it. Exactly baton-sdk v0.7.27's
    // columns: its `baton export c1z` clones this table into one with that column set and
    // fails on any newer column (docs/c1z.md#sync-runs).
    "create table if not exists v1_sync_runs (
    id integer primary key,
    sync_id text not null,
    started_at datetime not null,
    ended_at datetime,
    sync_token text not null,
    sync_type text not null default 'full',
    parent_sync_id text not null default '',
    linked_sync_id text not null default '',
    supports_diff integer not null default 0
)",
    "create unique index if not exists idx_sync_runs_sync_id_v1 on v1_sync_runs (sync_id)",
    "create table if not exists v1_grants (
    id integer primary key,
    resource_type_id text not null,
    resource_id text not null,
    entitlement_id text not null,
    principal_resource_type_id text not null,
    principal_resource_id text not null,
    external_id text not null,
    expansion blob,
    needs_expansion integer not null default 0,
    data blob not null,
    sync_id text not null,
    discovered_at datetime not null
)",
    "create index if not exists idx_grants_resource_type_id_resource_id_v1 on v1_grants (resource_type_id, resource_id)",
    "create index if not exists idx_grants_principal_id_v1 on v1_grants (principal_resource_type_id, principal_resource_id)",
    "create index if not exists idx_grants_entitlement_id_principal_id_v1 on v1_grants (entitlement_id, principal_resource_type_id, principal_resource_id)",
    "create unique index if not exists idx_grants_external_sync_v1 on v1_grants (external_id, sync_id)",
    "create index if not exists idx_grants_entitlement_sync_grant_v1 on v1_grants (entitlement_id, sync_id, id)",
    "create index if not exists idx_grants_sync_expansion_v1 on v1_grants (sync_id) where expansion is not null",
    "create index if not exists idx_grants_sync_needs_expansion_v1 on v1_grants (sync_id) where needs_expansion = 1",
    "create table if not exists v1_assets (
    id integer primary key,
    external_id text not null,
    content_type text not null,
    data blob not null,
    sync_id text not null,
    discovered_at datetime not null
)",
    "create unique index if not exists idx_assets_external_sync_v1 on v1_assets (external_id, sync_id)",
    "create table if not exists v1_connector_sessions (
    id integer primary key,
    sync_id text NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL
)",
    "create unique index if not exists idx_session_store_sync_key_v1 on v1_connector_sessions (sync_id, key)",
];

/// Runs the DDL on `conn` (idempotent).
pub fn create(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    run(conn, DDL)
}

/// The DDL split after the `v1_grants` table: the schema a bulk load of grants starts with,
/// and the rest (the grants indexes, then `v1_assets`, `v1_connector_sessions` and theirs).
///
/// Building the grants indexes after the load is a sort instead of a B-tree insert per row and
/// index. Deferring *everything* after the grants table, rather than just its indexes, keeps
/// sqlite_master in Go's creation order without rewriting the schema table.
pub(crate) fn split_at_grants_table() -> (&'static [&'static str], &'static [&'static str]) {
    let at = DDL
        .iter()
        .position(|s| s.starts_with("create table if not exists v1_grants "))
        .map_or(DDL.len(), |i| i + 1);
    DDL.split_at(at)
}

/// Runs `stmts` in order.
pub(crate) fn run(conn: &rusqlite::Connection, stmts: &[&str]) -> rusqlite::Result<()> {
    for stmt in stmts {
        conn.execute_batch(stmt)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table's column definitions as docs/c1z.md lists them (baton-sdk v0.7.27), in
    /// Go's creation order. Declared types are compared as written: SQLite's
    /// `pragma table_info` would upper-case them.
    const SPEC: &[(&str, &[&str])] = &[
        (
            "v1_resource_types",
            &[
                "id integer primary key",
                "external_id text not null",
                "data blob not null",
                "sync_id text not null",
                "discovered_at datetime not null",
            ],
        ),
        (
            "v1_resources",
            &[
                "id integer primary key",
                "resource_type_id text not null",
                "external_id text not null",
                "parent_resource_type_id text",
                "parent_resource_id text",
                "data blob not null",
                "sync_id text not null",
                "discovered_at datetime not null",
            ],
        ),
        (
            "v1_entitlements",
            &[
                "id integer primary key",
                "resource_type_id text not null",
                "resource_id text not null",
                "external_id text not null",
                "data blob not null",
                "sync_id text not null",
                "discovered_at datetime not null",
            ],
        ),
        (
            "v1_sync_runs",
            &[
                "id integer primary key",
                "sync_id text not null",
                "started_at datetime not null",
                "ended_at datetime",
                "sync_token text not null",
                "sync_type text not null default 'full'",
                "parent_sync_id text not null default ''",
                "linked_sync_id text not null default ''",
                "supports_diff integer not null default 0",
            ],
        ),
        (
            "v1_grants",
            &[
                "id integer primary key",
                "resource_type_id text not null",
                "resource_id text not null",
                "entitlement_id text not null",
                "principal_resource_type_id text not null",
                "principal_resource_id text not null",
                "external_id text not null",
                "expansion blob",
                "needs_expansion integer not null default 0",
                "data blob not null",
                "sync_id text not null",
                "discovered_at datetime not null",
            ],
        ),
        (
            "v1_assets",
            &[
                "id integer primary key",
                "external_id text not null",
                "content_type text not null",
                "data blob not null",
                "sync_id text not null",
                "discovered_at datetime not null",
            ],
        ),
        (
            "v1_connector_sessions",
            &[
                "id integer primary key",
                "sync_id text NOT NULL",
                "key TEXT NOT NULL",
                "value BLOB NOT NULL",
            ],
        ),
    ];

    #[test]
    fn every_table_has_exactly_the_columns_of_the_spec() {
        let conn = rusqlite::Connection::open_in_memory().expect("memory db");
        create(&conn).expect("ddl");
        let tables: Vec<(String, String)> = conn
            .prepare("select name, sql from sqlite_master where type = 'table' order by rowid")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .expect("tables");
        let names: Vec<&str> = tables.iter().map(|(n, _)| n.as_str()).collect();
        let spec_names: Vec<&str> = SPEC.iter().map(|(t, _)| *t).collect();
        assert_eq!(names, spec_names, "tables in Go's creation order");
        for ((table, sql), (_, want)) in tables.iter().zip(SPEC) {
            let body = sql
                .split_once('(')
                .and_then(|(_, rest)| rest.rsplit_once(')'))
                .map(|(body, _)| body)
                .expect("column list");
            let got: Vec<&str> = body.split(',').map(str::trim).collect();
            assert_eq!(&got, want, "{table}");
        }
    }

    #[test]
    fn split_defers_exactly_what_follows_the_grants_table() {
        let (bulk, rest) = split_at_grants_table();
        assert_eq!(bulk.len() + rest.len(), DDL.len());
        assert!(bulk
            .last()
            .is_some_and(|s| s.starts_with("create table if not exists v1_grants ")));
        let names: Vec<&str> = rest
            .iter()
            .filter_map(|s| {
                s.split_whitespace()
                    .nth(if s.contains(" unique ") { 6 } else { 5 })
            })
            .collect();
        assert_eq!(
            names,
            [
                "idx_grants_resource_type_id_resource_id_v1",
                "idx_grants_principal_id_v1",
                "idx_grants_entitlement_id_principal_id_v1",
                "idx_grants_external_sync_v1",
                "idx_grants_entitlement_sync_grant_v1",
                "idx_grants_sync_expansion_v1",
                "idx_grants_sync_needs_expansion_v1",
                "v1_assets",
                "idx_assets_external_sync_v1",
                "v1_connector_sessions",
                "idx_session_store_sync_key_v1",
            ]
        );
    }
}
