//! How the fake answers `GET /api/folders?with_nested_folders=true` (Workato's semantics of
//! the parameter are unconfirmed, so clients must cope with each of these).

/// The fake's behaviour for `with_nested_folders=true`; see [`FakeWorkato::set_nested_folders`].
///
/// [`FakeWorkato::set_nested_folders`]: super::FakeWorkato::set_nested_folders
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NestedFolders {
    /// The parameter is ignored: only the direct children of `parent_id` are listed (the
    /// fake's default, as Workato's support for the parameter is unconfirmed).
    #[default]
    Ignored,
    /// The whole subtree below `parent_id` is listed, breadth first, paged as usual.
    Supported,
    /// The subtree is listed breadth first but silently cut after `max` folders; paging
    /// ends normally after them.
    Truncated {
        /// Folders served at most.
        max: usize,
    },
}

impl std::str::FromStr for NestedFolders {
    type Err = String;

    /// `ignored`, `supported` or `truncated:<max>`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ignored" => Ok(Self::Ignored),
            "supported" => Ok(Self::Supported),
            other => other
                .strip_prefix("truncated:")
                .and_then(|n| n.parse().ok())
                .map(|max| Self::Truncated { max })
                .ok_or_else(|| {
                    format!("{other:?}: expected ignored, supported or truncated:<max>")
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_behaviour() {
        assert_eq!("ignored".parse(), Ok(NestedFolders::Ignored));
        assert_eq!("supported".parse(), Ok(NestedFolders::Supported));
        assert_eq!(
            "truncated:7".parse(),
            Ok(NestedFolders::Truncated { max: 7 })
        );
        assert!("truncated".parse::<NestedFolders>().is_err());
    }
}
