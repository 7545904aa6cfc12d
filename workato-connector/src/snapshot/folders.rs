//! The folder tree: every project's root folder and the folders below it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::types::{Folder, Project};

/// Folders by id, with their children (in listing order) and the project each root belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderTree {
    folders: BTreeMap<i64, Folder>,
    children: HashMap<i64, Vec<i64>>,
    roots: BTreeMap<i64, i64>,
}

impl FolderTree {
    /// Builds the tree from the projects (their root folders) and the listed folders. A folder
    /// listed twice keeps its first listing; folders equal to a root folder id are dropped (a
    /// root never appears in listings, and a clash there broke upstream).
    pub fn new(projects: &[Project], folders: Vec<Folder>) -> Self {
        let mut tree = FolderTree::default();
        for project in projects {
            if let Some(root) = project.folder_id {
                tree.roots.entry(root).or_insert(project.id);
            }
        }
        for folder in folders {
            if tree.roots.contains_key(&folder.id) || tree.folders.contains_key(&folder.id) {
                continue;
            }
            tree.children
                .entry(folder.listed_under)
                .or_default()
                .push(folder.id);
            tree.folders.insert(folder.id, folder);
        }
        tree
    }

    /// A listed (non-root) folder.
    pub fn folder(&self, id: i64) -> Option<&Folder> {
        self.folders.get(&id)
    }

    /// Every listed (non-root) folder, by id.
    pub fn folders(&self) -> impl Iterator<Item = &Folder> {
        self.folders.values()
    }

    /// The listed children of folder `parent` (root or not), in listing order.
    pub fn children(&self, parent: i64) -> impl Iterator<Item = &Folder> {
        self.children
            .get(&parent)
            .into_iter()
            .flatten()
            .filter_map(|id| self.folders.get(id))
    }

    /// The project whose root folder is `folder_id`, if it is a root.
    pub fn project_of_root(&self, folder_id: i64) -> Option<i64> {
        self.roots.get(&folder_id).copied()
    }

    /// Whether `id` is a known folder (root or listed).
    pub fn contains(&self, id: i64) -> bool {
        self.roots.contains_key(&id) || self.folders.contains_key(&id)
    }

    /// Every known folder id (roots and listed), ascending.
    pub fn all_ids(&self) -> impl Iterator<Item = i64> + '_ {
        let ids: BTreeSet<i64> = self
            .roots
            .keys()
            .chain(self.folders.keys())
            .copied()
            .collect();
        ids.into_iter()
    }

    /// `id` and every folder below it (guarded against cycles in bad data).
    pub fn subtree(&self, id: i64) -> BTreeSet<i64> {
        let mut out = BTreeSet::new();
        let mut stack = vec![id];
        while let Some(next) = stack.pop() {
            if out.insert(next) {
                if let Some(kids) = self.children.get(&next) {
                    stack.extend(kids.iter().copied());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(id: i64, under: i64) -> Folder {
        Folder {
            id,
            name: format!("F{id}"),
            parent_id: Some(under),
            listed_under: under,
            created_at: None,
            updated_at: None,
        }
    }

    fn tree() -> FolderTree {
        let projects = [Project {
            id: 100,
            name: "P".into(),
            description: None,
            folder_id: Some(10),
        }];
        FolderTree::new(
            &projects,
            vec![
                folder(20, 10),
                folder(21, 20),
                folder(22, 20),
                folder(20, 21),
                folder(10, 22),
            ],
        )
    }

    #[test]
    fn structure_and_subtree() {
        let t = tree();
        assert_eq!(t.project_of_root(10), Some(100));
        assert_eq!(t.project_of_root(20), None);
        let kids: Vec<i64> = t.children(20).map(|f| f.id).collect();
        assert_eq!(kids, [21, 22]);
        assert_eq!(
            t.subtree(10).into_iter().collect::<Vec<_>>(),
            [10, 20, 21, 22]
        );
        assert_eq!(t.subtree(21).into_iter().collect::<Vec<_>>(), [21]);
        assert!(t.contains(10) && t.contains(22) && !t.contains(99));
        assert_eq!(t.all_ids().collect::<Vec<_>>(), [10, 20, 21, 22]);
        // The duplicate listing of 20 and the clash with root 10 were dropped.
        assert_eq!(t.folder(20).map(|f| f.listed_under), Some(10));
        assert!(t.folder(10).is_none());
    }
}
