//! Reading and updating `repeated google.protobuf.Any` annotation lists like baton-sdk's
//! `annotations.Annotations`.

use crate::proto::{is, pack, unpack, Any, Name, UnpackError};

/// Typed access to a list of annotations (`Vec<Any>` or a slice of it).
pub trait AnnotationsExt {
    /// The first annotation of type `M`, decoded; `Ok(None)` when absent.
    ///
    /// # Errors
    /// [`UnpackError`] when an `M` is present but does not decode.
    fn annotation<M: Name + Default>(&self) -> Result<Option<M>, UnpackError>;

    /// `true` when an annotation of type `M` is present.
    fn has_annotation<M: Name>(&self) -> bool;
}

/// Updating annotation lists (only on owned `Vec<Any>`).
pub trait AnnotationsMutExt: AnnotationsExt {
    /// Replaces the first annotation of type `M` in place, or appends one (SDK `Update`).
    fn update_annotation<M: Name>(&mut self, message: &M);

    /// Appends an annotation of type `M` (SDK `Append`).
    fn append_annotation<M: Name>(&mut self, message: &M);

    /// Removes every annotation of type `M`; returns how many were removed.
    fn remove_annotations<M: Name>(&mut self) -> usize;
}

impl AnnotationsExt for [Any] {
    fn annotation<M: Name + Default>(&self) -> Result<Option<M>, UnpackError> {
        match self.iter().find(|a| is::<M>(a)) {
            Some(any) => unpack::<M>(any),
            None => Ok(None),
        }
    }

    fn has_annotation<M: Name>(&self) -> bool {
        self.iter().any(is::<M>)
    }
}

impl AnnotationsExt for Vec<Any> {
    fn annotation<M: Name + Default>(&self) -> Result<Option<M>, UnpackError> {
        self.as_slice().annotation::<M>()
    }

    fn has_annotation<M: Name>(&self) -> bool {
        self.as_slice().has_annotation::<M>()
    }
}

impl AnnotationsMutExt for Vec<Any> {
    fn update_annotation<M: Name>(&mut self, message: &M) {
        let packed = pack(message);
        match self.iter_mut().find(|a| is::<M>(a)) {
            Some(slot) => *slot = packed,
            None => self.push(packed),
        }
    }

    fn append_annotation<M: Name>(&mut self, message: &M) {
        self.push(pack(message));
    }

    fn remove_annotations<M: Name>(&mut self) -> usize {
        let before = self.len();
        self.retain(|a| !is::<M>(a));
        before - self.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{ChildResourceType, ExternalLink, SkipGrants};

    #[test]
    fn update_replaces_first_in_place_else_appends() {
        let mut annos = vec![
            pack(&ChildResourceType {
                resource_type_id: "a".into(),
            }),
            pack(&SkipGrants {}),
        ];
        annos.update_annotation(&ChildResourceType {
            resource_type_id: "b".into(),
        });
        assert_eq!(annos.len(), 2);
        assert_eq!(
            annos.annotation::<ChildResourceType>().expect("decodes"),
            Some(ChildResourceType {
                resource_type_id: "b".into()
            })
        );
        annos.update_annotation(&ExternalLink {
            url: "https://x".into(),
        });
        assert_eq!(annos.len(), 3);
        assert!(annos[2].type_url.ends_with(".ExternalLink"));
        assert!(annos.has_annotation::<SkipGrants>());
        assert_eq!(annos.remove_annotations::<SkipGrants>(), 1);
        assert!(!annos.has_annotation::<SkipGrants>());
        annos.append_annotation(&SkipGrants {});
        annos.append_annotation(&SkipGrants {});
        assert_eq!(annos.remove_annotations::<SkipGrants>(), 2);
    }

    #[test]
    fn get_absent_is_none() {
        let annos: Vec<Any> = Vec::new();
        assert_eq!(annos.annotation::<SkipGrants>().expect("no error"), None);
    }
}
