//! Reading every project's folder tree: one nested listing per project where Workato's
//! `with_nested_folders` verifiably returns whole trees, else one listing per folder.
//!
//! Workato lists a folder's children by parent; its `with_nested_folders` parameter is
//! documented, but not what it returns (docs/workato-api.md). A per-folder walk costs one
//! call per folder (5,200 for 200 projects of 25 folders: 87 minutes at 60 calls a minute);
//! a nested listing costs a call per page of a whole tree. So the first project's root is
//! listed nested and the result is accepted only if it is verifiably complete:
//!
//! - every folder's `parent_id` is the root or another listed folder, no folder repeats and
//!   paging ended normally (a short page; a repeated page is an error);
//! - the per-parent listing of a sample of parents returns no folder the nested result lacks.
//!
//! The sample is chosen where each kind of truncation shows, at most
//! 2 + [`FIRST_ROOT_LEAVES`] calls, once per sync: the root (a cap on its direct children),
//! the parent of the last listed folder (a cut in the middle of a parent's children), and
//! folders listed without children, spread evenly over the listing (a cut after a count or
//! at a depth leaves them looking empty; a server ignoring the parameter returns only
//! childless-looking children). Each of the other roots is then listed nested and checked
//! for the structure above (a root whose result fails it is walked per folder). When no
//! result showed a grandchild (a flat workspace, where ignoring the parameter would look the
//! same), [`ACROSS_ROOTS_LEAVES`] childless-looking folders spread over all the other trees
//! are listed too. Any missing folder falls back to the per-folder walk for everything.
//!
//! Either way the folders come out in the per-folder walk's order (breadth first over all
//! roots, children in listing order), so the two paths produce the same snapshot.

use std::collections::{BTreeSet, HashMap, HashSet};

use futures::{stream, StreamExt, TryStreamExt};
use workato_api::Client;

use super::load::{with_client, CONCURRENCY};
use super::types::{Folder, Project};
use crate::error::{Error, Step};

/// Childless-looking folders of the first project's nested listing checked per parent.
pub const FIRST_ROOT_LEAVES: usize = 6;

/// Childless-looking folders of the other projects checked when no tree showed nesting.
pub const ACROSS_ROOTS_LEAVES: usize = 8;

type Listed = Vec<workato_api::Folder>;
type ApiResult<T> = Result<T, workato_api::Error>;

/// Reads the folders below every project's root folder.
pub(super) async fn folders(client: &Client, projects: &[Project]) -> Result<Vec<Folder>, Error> {
    let mut roots = Vec::new();
    let mut unique = HashSet::new();
    for root in projects.iter().filter_map(|p| p.folder_id) {
        if unique.insert(root) {
            roots.push(root);
        }
    }
    let Some(&first) = roots.first() else {
        return Ok(Vec::new());
    };
    // Per-parent listings made while checking a nested result: the walk reuses them.
    let mut listed = HashMap::new();
    let children = match nested(client, &roots, first, &mut listed).await? {
        Ok(children) => children,
        Err(reason) => {
            tracing::info!(
                path = "per-folder",
                reason = %reason,
                "reading the folder trees one listing per folder"
            );
            walk(client, &roots, listed).await?
        }
    };
    Ok(in_walk_order(&roots, &children))
}

/// The children of every listed parent, from one listing per folder (unless `known` holds
/// it already), level by level.
async fn walk(
    client: &Client,
    roots: &[i64],
    mut known: HashMap<i64, Listed>,
) -> Result<HashMap<i64, Listed>, Error> {
    let mut children = HashMap::new();
    let mut seen: BTreeSet<i64> = roots.iter().copied().collect();
    let mut level = roots.to_vec();
    while !level.is_empty() {
        let mut listed: Vec<(i64, ApiResult<Listed>)> = Vec::new();
        let mut to_list = Vec::new();
        for parent in level {
            match known.remove(&parent) {
                Some(kids) => listed.push((parent, Ok(kids))),
                None => to_list.push(parent),
            }
        }
        listed.extend(
            stream::iter(with_client(client, to_list))
                .map(|(client, parent)| child_folders(client, parent))
                .buffered(CONCURRENCY)
                .collect::<Vec<_>>()
                .await,
        );
        let mut next = Vec::new();
        for (parent, kids) in listed {
            let kids = kids.map_err(|source| Error::api(Step::ListFolders { parent }, source))?;
            // Guard against cycles and repeats in bad data.
            next.extend(
                kids.iter()
                    .map(|f| f.id.get())
                    .filter(|id| seen.insert(*id)),
            );
            children.insert(parent, kids);
        }
        level = next;
    }
    Ok(children)
}

/// The folders in the per-folder walk's order: breadth first over all roots, a folder
/// listed under two parents kept at its first place.
fn in_walk_order(roots: &[i64], children: &HashMap<i64, Listed>) -> Vec<Folder> {
    let mut seen: BTreeSet<i64> = roots.iter().copied().collect();
    let mut level = roots.to_vec();
    let mut out = Vec::new();
    while !level.is_empty() {
        let mut next = Vec::new();
        for parent in level {
            for f in children.get(&parent).into_iter().flatten() {
                let id = f.id.get();
                if !seen.insert(id) {
                    continue;
                }
                next.push(id);
                out.push(Folder {
                    id,
                    name: f.name.clone(),
                    parent_id: f.parent_id.map(|p| p.get()),
                    listed_under: parent,
                    created_at: f.created_at.clone(),
                    updated_at: f.updated_at.clone(),
                });
            }
        }
        level = next;
    }
    out
}

/// A nested listing of `root` checked for structure: its folders grouped by parent, or why
/// it cannot be trusted.
fn structure(root: i64, listed: Listed) -> Result<Tree, String> {
    let ids: HashSet<i64> = listed.iter().map(|f| f.id.get()).collect();
    if ids.len() != listed.len() || ids.contains(&root) {
        return Err(format!(
            "the nested listing of folder {root} repeats a folder"
        ));
    }
    let mut tree = Tree {
        root,
        order: Vec::with_capacity(listed.len()),
        children: HashMap::new(),
        nested: false,
    };
    for f in listed {
        let id = f.id.get();
        match f.parent_id.map(|p| p.get()) {
            Some(p) if p == root => {}
            Some(p) if ids.contains(&p) => tree.nested = true,
            other => {
                return Err(format!(
                    "the nested listing of folder {root} holds folder {id} whose parent {other:?} \
                     is neither the root nor a listed folder"
                ))
            }
        }
        tree.order.push(id);
        let parent = f.parent_id.map_or(root, |p| p.get());
        tree.children.entry(parent).or_default().push(f);
    }
    Ok(tree)
}

/// One project's folders from a nested listing.
struct Tree {
    root: i64,
    /// Folder ids in listing order.
    order: Vec<i64>,
    children: HashMap<i64, Listed>,
    /// Whether some folder's parent is not the root.
    nested: bool,
}

impl Tree {
    /// Listed folders that have no listed children, in listing order.
    fn childless(&self) -> Vec<i64> {
        self.order
            .iter()
            .copied()
            .filter(|id| !self.children.contains_key(id))
            .collect()
    }

    fn contains(&self, id: i64) -> bool {
        id == self.root || self.order.contains(&id)
    }
}

/// Up to `n` items spread evenly over `items`, first and last included.
fn spread(items: &[i64], n: usize) -> Vec<i64> {
    if items.len() <= n {
        return items.to_vec();
    }
    if n <= 1 {
        return items.iter().take(n).copied().collect();
    }
    (0..n)
        .map(|i| items[i * (items.len() - 1) / (n - 1)])
        .collect()
}

/// Lists `parents` one by one (keeping the listings in `listed`); the first folder they
/// return that is not `known` (`Ok(Err)`), as "folder F under P".
async fn missing_under(
    client: &Client,
    parents: Vec<i64>,
    known: impl Fn(i64) -> bool,
    listed_out: &mut HashMap<i64, Listed>,
) -> Result<Result<(), String>, Error> {
    let listed: Vec<(i64, ApiResult<Listed>)> = stream::iter(with_client(client, parents))
        .map(|(client, parent)| child_folders(client, parent))
        .buffered(CONCURRENCY)
        .collect()
        .await;
    let mut missing = Ok(());
    for (parent, kids) in listed {
        let kids = kids.map_err(|source| Error::api(Step::ListFolders { parent }, source))?;
        if let (Ok(()), Some(f)) = (&missing, kids.iter().find(|f| !known(f.id.get()))) {
            missing = Err(format!(
                "folder {} under {parent} is missing from the nested listing",
                f.id.get()
            ));
        }
        listed_out.insert(parent, kids);
    }
    Ok(missing)
}

/// The nested path: every root's children map, `Ok(Err(reason))` to fall back.
async fn nested(
    client: &Client,
    roots: &[i64],
    first: i64,
    listed: &mut HashMap<i64, Listed>,
) -> Result<Result<HashMap<i64, Listed>, String>, Error> {
    let probe = match nested_folders(client.clone(), first).await.1 {
        Ok(listed) => listed,
        Err(e) => {
            return Ok(Err(format!(
                "the nested listing of folder {first} failed ({e})"
            )))
        }
    };
    let tree = match structure(first, probe) {
        Ok(tree) => tree,
        Err(reason) => return Ok(Err(reason)),
    };
    let last_parent = tree
        .order
        .last()
        .and_then(|id| {
            tree.children
                .iter()
                .find(|(_, kids)| kids.iter().any(|f| f.id.get() == *id))
                .map(|(p, _)| *p)
        })
        .unwrap_or(first);
    let mut sample = vec![first];
    sample.push(last_parent);
    sample.extend(spread(&tree.childless(), FIRST_ROOT_LEAVES));
    let mut unique = HashSet::new();
    sample.retain(|p| unique.insert(*p));
    let checked = sample.len();
    if let Err(reason) = missing_under(client, sample, |id| tree.contains(id), listed).await? {
        return Ok(Err(reason));
    }

    let others: Vec<(i64, ApiResult<Listed>)> =
        stream::iter(with_client(client, roots.iter().copied().skip(1)))
            .map(|(client, root)| nested_folders(client, root))
            .buffered(CONCURRENCY)
            .collect()
            .await;
    let mut nesting_seen = tree.nested;
    let mut trees = vec![tree];
    let mut walked = Vec::new();
    for (root, listed) in others {
        match listed
            .map_err(|e| format!("its nested listing failed ({e})"))
            .and_then(|l| structure(root, l))
        {
            Ok(t) => {
                nesting_seen |= t.nested;
                trees.push(t);
            }
            Err(reason) => {
                tracing::warn!(root, reason = %reason, "walking this project's folders one listing per folder");
                walked.push(root);
            }
        }
    }
    if !nesting_seen {
        // A flat first tree cannot tell an ignored parameter from a supported one; look
        // below childless-looking folders of the other trees too.
        let candidates: Vec<i64> = trees.iter().skip(1).flat_map(Tree::childless).collect();
        let sample = spread(&candidates, ACROSS_ROOTS_LEAVES);
        if let Err(reason) = missing_under(client, sample, |_| false, listed).await? {
            return Ok(Err(reason));
        }
    }
    tracing::info!(
        path = "nested",
        projects = trees.len(),
        checked_parents = checked,
        "reading the folder trees with one nested listing per project (with_nested_folders), verified on the first project's"
    );
    let mut children = walk(client, &walked, HashMap::new()).await?;
    for t in trees {
        children.extend(t.children);
    }
    Ok(Ok(children))
}

async fn child_folders(client: Client, parent: i64) -> (i64, ApiResult<Listed>) {
    let kids = client
        .folders()
        .list()
        .parent_id(parent)
        .into_stream()
        .try_collect()
        .await;
    (parent, kids)
}

async fn nested_folders(client: Client, root: i64) -> (i64, ApiResult<Listed>) {
    let all = client
        .folders()
        .list()
        .parent_id(root)
        .with_nested_folders(true)
        .into_stream()
        .try_collect()
        .await;
    (root, all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_keeps_ends_and_spaces_evenly() {
        let items: Vec<i64> = (0..25).collect();
        assert_eq!(spread(&items, 6), [0, 4, 9, 14, 19, 24]);
        assert_eq!(spread(&items[..3], 6), [0, 1, 2]);
        assert_eq!(spread(&items, 1), [0]);
        assert!(spread(&items, 0).is_empty());
    }

    fn folder(id: i64, parent: Option<i64>) -> workato_api::Folder {
        serde_json::from_value(serde_json::json!({"id": id, "name": "f", "parent_id": parent}))
            .expect("folder")
    }

    #[test]
    fn structure_refuses_orphans_repeats_and_the_root() {
        let ok = structure(1, vec![folder(2, Some(1)), folder(3, Some(2))]).expect("ok");
        assert!(ok.nested);
        assert_eq!(ok.childless(), [3]);
        assert!(structure(1, vec![folder(2, Some(9))]).is_err());
        assert!(structure(1, vec![folder(2, None)]).is_err());
        assert!(structure(1, vec![folder(2, Some(1)), folder(2, Some(1))]).is_err());
        assert!(structure(1, vec![folder(1, Some(1))]).is_err());
        let flat = structure(1, vec![folder(2, Some(1)), folder(3, Some(1))]).expect("flat");
        assert!(!flat.nested);
    }
}
