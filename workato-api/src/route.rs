//! Pure request addressing: a route is path segments plus a query string, turned into a URL by
//! joining onto the base URL (never by string concatenation), and into the path used in errors.
//! It also carries its endpoint family, named by the handler that builds it, so the request
//! loop picks the rate-limit bucket without reading the path again.

use url::Url;

use crate::family::Family;

/// A request target relative to the base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    family: Family,
    segments: Vec<String>,
    query: Option<String>,
}

impl Route {
    /// `/api/<segments…>` in `family`; each segment is percent-encoded when joined.
    pub(crate) fn api<I, S>(family: Family, segments: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut all = vec!["api".to_owned()];
        all.extend(segments.into_iter().map(Into::into));
        let route = Self {
            family,
            segments: all,
            query: None,
        };
        // Errors name the permission from the path (`Family::of_path`); the two must agree.
        debug_assert_eq!(Family::of_path(&route.path()), family, "{}", route.path());
        route
    }

    /// The endpoint family: its rate-limit bucket and API-client permission.
    pub(crate) fn family(&self) -> Family {
        self.family
    }

    /// Sets the query string (already encoded, without `?`); empty means none.
    pub(crate) fn with_query(mut self, query: String) -> Self {
        self.query = (!query.is_empty()).then_some(query);
        self
    }

    /// Appends encoded `key=value` pairs to the query.
    pub(crate) fn with_pairs(mut self, pairs: &[(&str, String)]) -> Self {
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in pairs {
            serializer.append_pair(key, value);
        }
        let extra = serializer.finish();
        self.query = Some(match self.query.take() {
            Some(q) if !extra.is_empty() => format!("{q}&{extra}"),
            Some(q) => q,
            None => extra,
        })
        .filter(|q| !q.is_empty());
        self
    }

    /// The path for errors and logs, e.g. `/api/members/12` (no query: it may hold filters
    /// such as e-mail addresses that do not belong in error messages).
    pub(crate) fn path(&self) -> String {
        let mut path = String::new();
        for segment in &self.segments {
            path.push('/');
            path.push_str(segment);
        }
        path
    }

    /// The full URL: `base` (which may carry a path prefix) + segments + query.
    pub(crate) fn url(&self, base: &Url) -> Result<Url, url::ParseError> {
        let mut url = base.clone();
        url.set_query(None);
        url.set_fragment(None);
        url.path_segments_mut()
            .map_err(|()| url::ParseError::RelativeUrlWithCannotBeABaseBase)?
            .pop_if_empty()
            .extend(&self.segments);
        url.set_query(self.query.as_deref());
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(s: &str) -> Url {
        Url::parse(s).expect("valid base")
    }

    #[test]
    fn joins_onto_base_with_and_without_prefix() {
        let route = Route::api(Family::Members, ["members", "12", "privileges"]);
        assert_eq!(route.path(), "/api/members/12/privileges");
        assert_eq!(
            route
                .url(&base("https://www.workato.com"))
                .expect("url")
                .as_str(),
            "https://www.workato.com/api/members/12/privileges"
        );
        assert_eq!(
            route
                .url(&base("https://vpw.example/prefix/"))
                .expect("url")
                .as_str(),
            "https://vpw.example/prefix/api/members/12/privileges"
        );
        assert_eq!(route.family(), Family::Members);
    }

    #[test]
    fn encodes_segments_and_bracket_pairs() {
        let route = Route::api(Family::ProjectGrants, ["project_grants", "pg/1 x"]).with_pairs(&[
            ("page[number]", "2".to_owned()),
            ("page[size]", "100".to_owned()),
        ]);
        assert_eq!(
            route.url(&base("http://127.0.0.1:1")).expect("url").as_str(),
            "http://127.0.0.1:1/api/project_grants/pg%2F1%20x?page%5Bnumber%5D=2&page%5Bsize%5D=100"
        );
    }

    #[test]
    fn query_parts_combine() {
        let route = Route::api(Family::Folders, ["folders"])
            .with_query("parent_id=4".into())
            .with_pairs(&[("page", "1".into()), ("per_page", "100".into())]);
        assert_eq!(
            route.url(&base("http://localhost")).expect("url").query(),
            Some("parent_id=4&page=1&per_page=100")
        );
        let empty = Route::api(Family::Workspace, ["users", "me"])
            .with_query(String::new())
            .with_pairs(&[]);
        assert_eq!(
            empty.url(&base("http://localhost")).expect("url").query(),
            None
        );
    }
}
