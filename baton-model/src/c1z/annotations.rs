//! Small helpers over annotation lists, built on [`crate::proto::is`] / [`crate::proto::unpack`]
//! (matching by the text after the last `/` of the type URL, as Go does).

use prost::Name;
use prost_types::Any;

use crate::proto;

/// Whether any annotation holds an `M`.
pub(crate) fn has<M: Name>(annotations: &[Any]) -> bool {
    annotations.iter().any(proto::is::<M>)
}

/// The first annotation holding an `M` that decodes; undecodable payloads are skipped.
pub(crate) fn first<M: Name + Default>(annotations: &[Any]) -> Option<M> {
    annotations
        .iter()
        .find_map(|a| proto::unpack::<M>(a).ok().flatten())
}
