//! `inspect`: lists resource types, resources, entitlements or grants of a c1z, as a table for
//! people or as JSON in the `baton -o json` shape (baton-model's `json` wrappers).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use baton_model::c1z::{C1zReader, GrantFilter, ResourceFilter};
use baton_model::json::{
    entitlements_output, grants_output, resource_types_output, resources_output, Document,
    EntitlementRow, GrantRow, ResourceRow,
};
use baton_model::model::ids::resource_key;
use baton_model::proto::{Purpose, Resource, ResourceId, ResourceType, Trait};

use crate::args::{InspectWhat, OutputFormat};
use crate::config::InspectFilters;
use crate::table::Table;
use crate::validation::{Origin, UsageError};

/// The filters of one listing, checked against what it supports and parsed.
#[derive(Debug, Default)]
struct Parsed {
    resource_type: Option<String>,
    resource: Option<ResourceId>,
    entitlement: Option<String>,
    principal: Option<ResourceId>,
}

/// Runs `inspect`: reads `file` and writes the listing to `out`.
pub(crate) fn run(
    file: &Path,
    what: InspectWhat,
    output: OutputFormat,
    filters: &InspectFilters,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let parsed = parse_filters(what, filters)?;
    match what {
        InspectWhat::Syncs => return crate::history::syncs(file, output, out),
        InspectWhat::Diff => return crate::history::run_diff(file, &filters.diff, output, out),
        _ => {}
    }
    let reader =
        C1zReader::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut lookup = Lookup::new(&reader)?;
    match what {
        InspectWhat::ResourceTypes => resource_types(&lookup, &parsed, output, out),
        InspectWhat::Resources => resources(&reader, &mut lookup, &parsed, output, out),
        InspectWhat::Entitlements => entitlements(&reader, &mut lookup, &parsed, output, out),
        InspectWhat::Grants => grants(&reader, &mut lookup, &parsed, output, out),
        InspectWhat::Syncs | InspectWhat::Diff => Ok(()),
    }
}

fn what_name(what: InspectWhat) -> &'static str {
    match what {
        InspectWhat::ResourceTypes => "resource-types",
        InspectWhat::Resources => "resources",
        InspectWhat::Entitlements => "entitlements",
        InspectWhat::Grants => "grants",
        InspectWhat::Syncs => "syncs",
        InspectWhat::Diff => "diff",
    }
}

/// Rejects filters a listing cannot apply (silently ignoring one would show wrong data) and
/// parses resource references.
fn parse_filters(what: InspectWhat, f: &InspectFilters) -> Result<Parsed, UsageError> {
    let unsupported = |flag: &'static str| UsageError::Invalid {
        flag,
        origin: Origin::Flag,
        reason: format!("does not apply to `inspect {}`", what_name(what)),
    };
    let (resource_ok, entitlement_ok, principal_ok) = match what {
        InspectWhat::ResourceTypes | InspectWhat::Syncs | InspectWhat::Diff => {
            (false, false, false)
        }
        InspectWhat::Resources | InspectWhat::Entitlements => (true, false, false),
        InspectWhat::Grants => (true, true, true),
    };
    let history = matches!(what, InspectWhat::Syncs | InspectWhat::Diff);
    if f.resource_type.is_some() && history {
        return Err(unsupported("--resource-type"));
    }
    if what != InspectWhat::Diff {
        let d = &f.diff;
        for (set, flag) in [
            (d.base_file.is_some(), "--base-file"),
            (d.base_sync.is_some(), "--base-sync"),
            (d.applied_sync.is_some(), "--applied-sync"),
        ] {
            if set {
                return Err(unsupported(flag));
            }
        }
    }
    if f.resource.is_some() && !resource_ok {
        return Err(unsupported("--resource"));
    }
    if f.entitlement.is_some() && !entitlement_ok {
        return Err(unsupported("--entitlement"));
    }
    if f.principal.is_some() && !principal_ok {
        return Err(unsupported("--principal"));
    }
    let resource = f
        .resource
        .as_deref()
        .map(|v| resource_ref("--resource", v, f.resource_type.as_deref()))
        .transpose()?;
    let principal = f
        .principal
        .as_deref()
        .map(|v| resource_ref("--principal", v, None))
        .transpose()?;
    Ok(Parsed {
        // With --resource the type is part of the resource id.
        resource_type: if resource.is_some() {
            None
        } else {
            f.resource_type.clone()
        },
        resource,
        entitlement: f.entitlement.clone(),
        principal,
    })
}

/// `TYPE:ID`, or a bare `ID` when the type is given separately.
fn resource_ref(
    flag: &'static str,
    value: &str,
    resource_type: Option<&str>,
) -> Result<ResourceId, UsageError> {
    let id = |rt: &str, r: &str| ResourceId {
        resource_type: rt.to_string(),
        resource: r.to_string(),
        ..ResourceId::default()
    };
    if let Some(rt) = resource_type {
        let bare = value
            .strip_prefix(rt)
            .and_then(|rest| rest.strip_prefix(':'))
            .unwrap_or(value);
        return Ok(id(rt, bare));
    }
    match value.split_once(':') {
        Some((rt, r)) if !rt.is_empty() && !r.is_empty() => Ok(id(rt, r)),
        _ => Err(UsageError::Invalid {
            flag,
            origin: Origin::Flag,
            reason: if flag == "--resource" {
                format!("{value:?}: give TYPE:ID (e.g. role:Admin) or add --resource-type")
            } else {
                format!("{value:?}: give TYPE:ID (e.g. collaborator:1001)")
            },
        }),
    }
}

/// Looks related objects up once each.
struct Lookup<'r> {
    reader: &'r C1zReader,
    types: Vec<ResourceType>,
    resources: HashMap<String, Option<Resource>>,
}

impl<'r> Lookup<'r> {
    fn new(reader: &'r C1zReader) -> anyhow::Result<Self> {
        Ok(Self {
            reader,
            types: reader
                .resource_types()
                .context("cannot list resource types")?,
            resources: HashMap::new(),
        })
    }

    fn resource_type(&self, id: &str) -> Option<ResourceType> {
        self.types.iter().find(|t| t.id == id).cloned()
    }

    fn resource(&mut self, id: Option<&ResourceId>) -> anyhow::Result<Option<Resource>> {
        let Some(id) = id else { return Ok(None) };
        let key = resource_key(id);
        if let Some(found) = self.resources.get(&key) {
            return Ok(found.clone());
        }
        let found = self
            .reader
            .resource(id)
            .with_context(|| format!("cannot read resource {key}"))?;
        self.resources.insert(key, found.clone());
        Ok(found)
    }
}

fn write_json(doc: anyhow::Result<Document>, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut text = doc?.to_compact_string();
    text.push('\n');
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn write_table(table: &Table, out: &mut dyn Write) -> anyhow::Result<()> {
    table.write(out)?;
    out.flush()?;
    Ok(())
}

fn key_of(id: Option<&ResourceId>) -> String {
    id.map(resource_key).unwrap_or_default()
}

fn trait_names(rt: &ResourceType) -> String {
    rt.traits
        .iter()
        .map(|t| match Trait::try_from(*t) {
            Ok(t) => t
                .as_str_name()
                .trim_start_matches("TRAIT_")
                .to_ascii_lowercase(),
            Err(_) => t.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn resource_types(
    lookup: &Lookup<'_>,
    f: &Parsed,
    output: OutputFormat,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let types: Vec<ResourceType> = lookup
        .types
        .iter()
        .filter(|t| f.resource_type.as_ref().is_none_or(|want| &t.id == want))
        .cloned()
        .collect();
    match output {
        OutputFormat::Json => write_json(resource_types_output(&types).map_err(Into::into), out),
        OutputFormat::Table => {
            let mut table = Table::new(&["ID", "DISPLAY NAME", "TRAITS"]);
            for t in &types {
                table.row(vec![t.id.clone(), t.display_name.clone(), trait_names(t)]);
            }
            write_table(&table, out)
        }
    }
}

fn resources(
    reader: &C1zReader,
    lookup: &mut Lookup<'_>,
    f: &Parsed,
    output: OutputFormat,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let list = match &f.resource {
        Some(id) => reader
            .resource(id)
            .context("cannot read the resource")?
            .into_iter()
            .collect(),
        None => {
            let filter = match &f.resource_type {
                Some(rt) => ResourceFilter::of_type(rt.clone()),
                None => ResourceFilter::default(),
            };
            reader.resources(&filter).context("cannot list resources")?
        }
    };
    match output {
        OutputFormat::Json => {
            let mut rows = Vec::with_capacity(list.len());
            for r in list {
                let rt =
                    r.id.as_ref()
                        .and_then(|id| lookup.resource_type(&id.resource_type));
                let parent = lookup.resource(r.parent_resource_id.as_ref())?;
                rows.push(ResourceRow {
                    resource: r,
                    resource_type: rt,
                    parent,
                });
            }
            write_json(resources_output(&rows).map_err(Into::into), out)
        }
        OutputFormat::Table => {
            let mut table = Table::new(&["TYPE", "ID", "DISPLAY NAME", "PARENT"]);
            for r in &list {
                let id = r.id.clone().unwrap_or_default();
                table.row(vec![
                    id.resource_type,
                    id.resource,
                    r.display_name.clone(),
                    key_of(r.parent_resource_id.as_ref()),
                ]);
            }
            write_table(&table, out)
        }
    }
}

fn purpose_name(p: i32) -> String {
    match Purpose::try_from(p) {
        Ok(p) => p
            .as_str_name()
            .trim_start_matches("PURPOSE_VALUE_")
            .to_ascii_lowercase(),
        Err(_) => p.to_string(),
    }
}

fn entitlements(
    reader: &C1zReader,
    lookup: &mut Lookup<'_>,
    f: &Parsed,
    output: OutputFormat,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut list = reader
        .entitlements(f.resource.as_ref())
        .context("cannot list entitlements")?;
    if let Some(rt) = &f.resource_type {
        list.retain(|e| {
            e.resource
                .as_ref()
                .and_then(|r| r.id.as_ref())
                .is_some_and(|id| &id.resource_type == rt)
        });
    }
    match output {
        OutputFormat::Json => {
            let mut rows = Vec::with_capacity(list.len());
            for e in list {
                let rid = e.resource.as_ref().and_then(|r| r.id.clone());
                let resource = lookup.resource(rid.as_ref())?;
                let resource_type = rid
                    .as_ref()
                    .and_then(|id| lookup.resource_type(&id.resource_type));
                rows.push(EntitlementRow {
                    entitlement: e,
                    resource,
                    resource_type,
                });
            }
            write_json(entitlements_output(&rows).map_err(Into::into), out)
        }
        OutputFormat::Table => {
            let mut table = Table::new(&["ID", "DISPLAY NAME", "PURPOSE", "GRANTABLE TO"]);
            for e in &list {
                let to: Vec<&str> = e.grantable_to.iter().map(|t| t.id.as_str()).collect();
                table.row(vec![
                    e.id.clone(),
                    e.display_name.clone(),
                    purpose_name(e.purpose),
                    to.join(","),
                ]);
            }
            write_table(&table, out)
        }
    }
}

fn grants(
    reader: &C1zReader,
    lookup: &mut Lookup<'_>,
    f: &Parsed,
    output: OutputFormat,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut filter = GrantFilter::default();
    filter.resource_type_id = f.resource_type.clone();
    filter.resource = f.resource.clone();
    filter.entitlement_id = f.entitlement.clone();
    filter.principal = f.principal.clone();
    let list = reader.grants(&filter).context("cannot list grants")?;
    let mut entitlements: HashMap<String, Option<baton_model::proto::Entitlement>> = HashMap::new();
    match output {
        OutputFormat::Json => {
            let mut rows = Vec::with_capacity(list.len());
            for g in list {
                let stub = g.entitlement.as_ref();
                let ent_id = stub.map(|e| e.id.clone()).unwrap_or_default();
                let entitlement = match entitlements.get(&ent_id) {
                    Some(e) => e.clone(),
                    None => {
                        let e = reader
                            .entitlement(&ent_id)
                            .with_context(|| format!("cannot read entitlement {ent_id}"))?;
                        entitlements.insert(ent_id.clone(), e.clone());
                        e
                    }
                };
                let rid = stub
                    .and_then(|e| e.resource.as_ref())
                    .and_then(|r| r.id.clone());
                let resource = lookup.resource(rid.as_ref())?;
                let resource_type = rid
                    .as_ref()
                    .and_then(|id| lookup.resource_type(&id.resource_type));
                let pid = g.principal.as_ref().and_then(|p| p.id.clone());
                let principal = lookup.resource(pid.as_ref())?;
                rows.push(GrantRow {
                    grant: g,
                    entitlement,
                    resource,
                    resource_type,
                    principal,
                });
            }
            write_json(grants_output(&rows).map_err(Into::into), out)
        }
        OutputFormat::Table => {
            let mut table = Table::new(&["ENTITLEMENT", "PRINCIPAL", "PRINCIPAL NAME"]);
            for g in &list {
                let pid = g.principal.as_ref().and_then(|p| p.id.clone());
                let name = lookup
                    .resource(pid.as_ref())?
                    .map(|p| p.display_name)
                    .unwrap_or_default();
                table.row(vec![
                    g.entitlement
                        .as_ref()
                        .map(|e| e.id.clone())
                        .unwrap_or_default(),
                    key_of(pid.as_ref()),
                    name,
                ]);
            }
            write_table(&table, out)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn resource_refs() {
        let r = resource_ref("--resource", "role:Admin", None).unwrap();
        assert_eq!(
            (r.resource_type.as_str(), r.resource.as_str()),
            ("role", "Admin")
        );
        let r = resource_ref("--resource", "Admin", Some("role")).unwrap();
        assert_eq!(r.resource, "Admin");
        let r = resource_ref("--resource", "role:Admin", Some("role")).unwrap();
        assert_eq!(r.resource, "Admin");
        let e = resource_ref("--resource", "Admin", None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--resource: \"Admin\": give TYPE:ID (e.g. role:Admin) or add --resource-type"
        );
        assert!(resource_ref("--principal", "collaborator:", None).is_err());
    }

    #[test]
    fn filters_that_do_not_apply_are_usage_errors() {
        let f = InspectFilters {
            entitlement: Some("role:Admin:collaborator-has".into()),
            ..InspectFilters::default()
        };
        let e = parse_filters(InspectWhat::Resources, &f).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--entitlement: does not apply to `inspect resources`"
        );
        assert!(parse_filters(InspectWhat::Grants, &f).is_ok());
    }
}
