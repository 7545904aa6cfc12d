//! One lazy pagination abstraction for both page styles Workato uses (spec §3).
//!
//! `paginate` turns a page-fetch closure into a stream of items: nothing is sent until the
//! stream is polled; pages start at 1; the listing ends on a short or empty page; a page
//! whose first item equals the previous page's first item fails with
//! [`Error::RepeatedPage`] instead of looping. Every page goes through the client's request loop,
//! hence through the rate limiter and the retry policy.

use std::future::Future;

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::client::{decode, decode_value, Client};
use crate::error::{Error, Result};
use crate::lenient::null_default;
use crate::route::Route;

/// Items per page requested (the documented maximum of both styles).
pub const PAGE_SIZE: u32 = 100;

/// A stream of listed items; ends at the first error.
pub type ItemStream<T> = BoxStream<'static, Result<T>>;

/// How an endpoint pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageStyle {
    /// `page`/`per_page` query, bare JSON array (projects, folders, legacy roles).
    PagePerPage,
    /// `page[number]`/`page[size]` query, `{"data":[…],"total","page"}` (JSON:API style).
    JsonApi,
}

impl PageStyle {
    /// The query pairs selecting page `number`.
    pub(crate) fn pairs(self, number: u32) -> [(&'static str, String); 2] {
        match self {
            PageStyle::PagePerPage => [
                ("page", number.to_string()),
                ("per_page", PAGE_SIZE.to_string()),
            ],
            PageStyle::JsonApi => [
                ("page[number]", number.to_string()),
                ("page[size]", PAGE_SIZE.to_string()),
            ],
        }
    }
}

/// One fetched page.
#[derive(Debug)]
pub(crate) struct Page<T> {
    /// Decoded items.
    pub(crate) items: Vec<T>,
    /// The first item's JSON text, to detect a server that repeats a page.
    pub(crate) first: Option<String>,
    /// The page size that was asked for; fewer items means this was the last page.
    pub(crate) requested: usize,
}

struct State<F> {
    fetch: F,
    next: Option<u32>,
    previous_first: Option<String>,
    path: String,
}

/// Streams the items of pages `1, 2, …` fetched by `fetch(page_number)`.
pub(crate) fn paginate<T, F, Fut>(path: String, fetch: F) -> ItemStream<T>
where
    T: Send + 'static,
    F: FnMut(u32) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let state = State {
        fetch,
        next: Some(1),
        previous_first: None,
        path,
    };
    stream::try_unfold(state, |mut state| async move {
        let Some(number) = state.next else {
            return Ok(None);
        };
        let page = (state.fetch)(number).await?;
        if number > 1 && page.first.is_some() && page.first == state.previous_first {
            return Err(Error::RepeatedPage {
                path: state.path.clone(),
                page: number,
                previous: number - 1,
            });
        }
        state.next = (page.items.len() >= page.requested && !page.items.is_empty())
            .then(|| number.saturating_add(1));
        state.previous_first = page.first;
        Ok(Some((stream::iter(page.items.into_iter().map(Ok)), state)))
    })
    .try_flatten()
    .boxed()
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default, deserialize_with = "null_default")]
    data: Vec<serde_json::Value>,
}

impl Client {
    /// Lists `route` (which may already carry a filter query) in the given page style.
    pub(crate) fn list_pages<T>(&self, route: Route, style: PageStyle) -> ItemStream<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let client = self.clone();
        let path = route.path();
        paginate(path, move |number| {
            let client = client.clone();
            let route = route.clone().with_pairs(&style.pairs(number));
            async move { client.fetch_page(&route, style).await }
        })
    }

    async fn fetch_page<T: DeserializeOwned>(
        &self,
        route: &Route,
        style: PageStyle,
    ) -> Result<Page<T>> {
        let body = self.execute(Method::GET, route, None).await?;
        let path = route.path();
        let (raw, prefix) = match style {
            PageStyle::PagePerPage => (
                decode::<Vec<serde_json::Value>>(&Method::GET, &path, &body)?,
                "",
            ),
            PageStyle::JsonApi => (decode::<Envelope>(&Method::GET, &path, &body)?.data, "data"),
        };
        let first = raw.first().map(serde_json::Value::to_string);
        let items = raw
            .into_iter()
            .enumerate()
            .map(|(i, value)| decode_value(&Method::GET, &path, value, &format!("{prefix}[{i}]")))
            .collect::<Result<Vec<T>>>()?;
        Ok(Page {
            items,
            first,
            requested: PAGE_SIZE as usize,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    use futures::TryStreamExt;

    use super::*;

    fn page(range: std::ops::Range<u32>, requested: usize) -> Page<u32> {
        let items: Vec<u32> = range.collect();
        Page {
            first: items.first().map(u32::to_string),
            items,
            requested,
        }
    }

    #[tokio::test]
    async fn walks_until_short_page_and_is_lazy() {
        let calls = Arc::new(AtomicU32::new(0));
        let seen = calls.clone();
        let stream = paginate("/api/x".into(), move |n| {
            seen.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(match n {
                    1 => page(0..3, 3),
                    2 => page(3..6, 3),
                    _ => page(6..7, 3),
                })
            }
        });
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "nothing fetched before polling"
        );
        let items: Vec<u32> = stream.try_collect().await.expect("listing");
        assert_eq!(items, (0..7).collect::<Vec<_>>());
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn full_then_empty_page_ends() {
        let stream = paginate("/api/x".into(), |n| async move {
            Ok(if n == 1 { page(0..2, 2) } else { page(0..0, 2) })
        });
        let items: Vec<u32> = stream.try_collect().await.expect("listing");
        assert_eq!(items, [0, 1]);
    }

    #[tokio::test]
    async fn repeated_page_is_an_error() {
        let stream = paginate("/api/x".into(), |_| async { Ok(page(0..2, 2)) });
        let err = stream.try_collect::<Vec<u32>>().await.expect_err("repeat");
        assert!(
            matches!(err, Error::RepeatedPage { ref path, page: 2, previous: 1 } if path == "/api/x"),
            "{err:?}"
        );
    }

    #[test]
    fn page_pairs() {
        assert_eq!(
            PageStyle::PagePerPage.pairs(3),
            [("page", "3".to_owned()), ("per_page", "100".to_owned())]
        );
        assert_eq!(
            PageStyle::JsonApi.pairs(1),
            [
                ("page[number]", "1".to_owned()),
                ("page[size]", "100".to_owned())
            ]
        );
    }
}
