//! One lazy pagination abstraction for both page styles Workato uses
//! (docs/workato-api.md#pagination).
//!
//! `paginate` turns a page-fetch closure into a stream of items: nothing is sent until the
//! stream is polled; pages start at 1 (or the builder's `page`); the listing ends on a short
//! or empty page; a page whose first item equals the previous page's first item fails with
//! [`Error::RepeatedPage`] instead of looping. Every page goes through the client's request
//! loop, hence through the rate limiter and the retry policy.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

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
    /// The query pairs selecting page `number` of `size` items.
    pub(crate) fn pairs(self, number: u32, size: u32) -> [(&'static str, String); 2] {
        match self {
            PageStyle::PagePerPage => {
                [("page", number.to_string()), ("per_page", size.to_string())]
            }
            PageStyle::JsonApi => [
                ("page[number]", number.to_string()),
                ("page[size]", size.to_string()),
            ],
        }
    }
}

/// One page of a listing, as a request builder's `send()` returns it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The page number (1-based).
    pub number: u32,
    /// The decoded items.
    pub items: Vec<T>,
    /// The number of the next page; `None` when this one was short or empty (the last).
    pub next: Option<u32>,
    /// The first item's JSON text, to detect a server that repeats a page.
    pub(crate) first: Option<String>,
}

struct State<F> {
    fetch: F,
    next: Option<u32>,
    start: u32,
    previous_first: Option<String>,
    path: String,
}

/// Streams the items of pages `start, start + 1, …` fetched by `fetch(page_number)`, following
/// each page's `next`.
pub(crate) fn paginate<T, F, Fut>(path: String, start: u32, fetch: F) -> ItemStream<T>
where
    T: Send + 'static,
    F: FnMut(u32) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let state = State {
        fetch,
        next: Some(start),
        start,
        previous_first: None,
        path,
    };
    stream::try_unfold(state, |mut state| async move {
        let Some(number) = state.next else {
            return Ok(None);
        };
        let page = (state.fetch)(number).await?;
        if number > state.start && page.first.is_some() && page.first == state.previous_first {
            return Err(Error::RepeatedPage {
                path: state.path.clone(),
                page: number,
                previous: number - 1,
            });
        }
        state.next = page.next;
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

/// The request builder of a listing that takes no filters (`client.projects().list()`, …):
/// [`send`](Self::send) fetches one page, [`into_stream`](Self::into_stream) every page from
/// there on. Each page is one request through the client's rate limiter and retry policy.
pub struct List<T> {
    client: Client,
    route: Route,
    style: PageStyle,
    page: u32,
    per_page: u32,
    // `fn() -> T`: the builder yields `T`s but holds none (stays Send + Sync for any `T`).
    item: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for List<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("List")
            .field("path", &self.route.path())
            .field("style", &self.style)
            .field("page", &self.page)
            .field("per_page", &self.per_page)
            .finish_non_exhaustive()
    }
}

impl<T> Clone for List<T> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            route: self.route.clone(),
            style: self.style,
            page: self.page,
            per_page: self.per_page,
            item: PhantomData,
        }
    }
}

impl<T> List<T> {
    pub(crate) fn new(client: &Client, route: Route, style: PageStyle) -> Self {
        Self {
            client: client.clone(),
            route,
            style,
            page: 1,
            per_page: PAGE_SIZE,
            item: PhantomData,
        }
    }

    /// The page [`send`](Self::send) fetches and [`into_stream`](Self::into_stream) starts
    /// from (1-based; default 1).
    pub fn page(mut self, number: u32) -> Self {
        self.page = number;
        self
    }

    /// Items per page, 1 to [`PAGE_SIZE`] (the default, and the documented maximum).
    pub fn per_page(mut self, size: u32) -> Self {
        self.per_page = size.clamp(1, PAGE_SIZE);
        self
    }
}

impl<T: DeserializeOwned + Send + 'static> List<T> {
    /// Fetches the selected page.
    pub async fn send(self) -> Result<Page<T>> {
        self.client
            .fetch_page(self.route, self.style, self.page, self.per_page)
            .await
    }

    /// Streams every item from the selected page on; nothing is sent until polled.
    pub fn into_stream(self) -> ItemStream<T> {
        self.client
            .list_pages(self.route, self.style, self.page, self.per_page)
    }
}

impl Client {
    /// Streams `route` (which may already carry a filter query) in the given page style, from
    /// page `start` on, `size` items a page.
    pub(crate) fn list_pages<T>(
        &self,
        route: Route,
        style: PageStyle,
        start: u32,
        size: u32,
    ) -> ItemStream<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let client = self.clone();
        let path = route.path();
        paginate(path, start, move |number| {
            client
                .clone()
                .fetch_page(route.clone(), style, number, size)
        })
    }

    /// Fetches page `number` (of `size` items) of `route` (which may already carry a filter
    /// query).
    pub(crate) async fn fetch_page<T: DeserializeOwned>(
        self,
        route: Route,
        style: PageStyle,
        number: u32,
        size: u32,
    ) -> Result<Page<T>> {
        let route = route.with_pairs(&style.pairs(number, size));
        let body = self.execute(Method::GET, &route, None).await?;
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
            number,
            next: next_page(number, items.len(), size),
            items,
            first,
        })
    }
}

/// The page after `number` if it held a full page (`len` of `size` items); a short or empty
/// page is the last.
fn next_page(number: u32, len: usize, size: u32) -> Option<u32> {
    (len >= size as usize && len > 0).then(|| number.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    use futures::TryStreamExt;

    use super::*;
    use crate::test_runtime::block_on;

    /// Page `number` holding `range`, the last one unless it has `requested` items.
    fn page(number: u32, range: std::ops::Range<u32>, requested: usize) -> Page<u32> {
        let items: Vec<u32> = range.collect();
        Page {
            number,
            first: items.first().map(u32::to_string),
            next: (items.len() >= requested && !items.is_empty()).then_some(number + 1),
            items,
        }
    }

    #[test]
    fn walks_until_short_page_and_is_lazy() {
        block_on(async {
            let calls = Arc::new(AtomicU32::new(0));
            let seen = calls.clone();
            let stream = paginate("/api/x".into(), 1, move |n| {
                seen.fetch_add(1, Ordering::SeqCst);
                async move {
                    Ok(match n {
                        1 => page(n, 0..3, 3),
                        2 => page(n, 3..6, 3),
                        _ => page(n, 6..7, 3),
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
        })
    }

    #[test]
    fn full_then_empty_page_ends() {
        block_on(async {
            let stream = paginate("/api/x".into(), 1, |n| async move {
                Ok(if n == 1 {
                    page(n, 0..2, 2)
                } else {
                    page(n, 0..0, 2)
                })
            });
            let items: Vec<u32> = stream.try_collect().await.expect("listing");
            assert_eq!(items, [0, 1]);
        })
    }

    #[test]
    fn repeated_page_is_an_error() {
        block_on(async {
            let stream = paginate("/api/x".into(), 1, |n| async move { Ok(page(n, 0..2, 2)) });
            let err = stream.try_collect::<Vec<u32>>().await.expect_err("repeat");
            assert!(
                matches!(err, Error::RepeatedPage { ref path, page: 2, previous: 1 } if path == "/api/x"),
                "{err:?}"
            );
        })
    }

    #[test]
    fn starts_at_the_given_page_and_checks_repeats_after_it() {
        block_on(async {
            let stream = paginate("/api/x".into(), 3, |n| async move {
                Ok(match n {
                    3 => page(n, 0..2, 2),
                    _ => page(n, 5..6, 2),
                })
            });
            let items: Vec<u32> = stream.try_collect().await.expect("listing");
            assert_eq!(items, [0, 1, 5]);
        })
    }

    #[test]
    fn a_full_page_has_a_next_one() {
        assert_eq!(next_page(1, PAGE_SIZE as usize, PAGE_SIZE), Some(2));
        assert_eq!(next_page(4, PAGE_SIZE as usize - 1, PAGE_SIZE), None);
        assert_eq!(next_page(1, 0, PAGE_SIZE), None);
        assert_eq!(next_page(2, 1, 1), Some(3));
    }

    #[test]
    fn page_pairs() {
        assert_eq!(
            PageStyle::PagePerPage.pairs(3, PAGE_SIZE),
            [("page", "3".to_owned()), ("per_page", "100".to_owned())]
        );
        assert_eq!(
            PageStyle::JsonApi.pairs(1, PAGE_SIZE),
            [
                ("page[number]", "1".to_owned()),
                ("page[size]", "100".to_owned())
            ]
        );
    }
}
