//! Encoding request-builder structs into query strings.

use futures::stream::{self, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::client::Client;
use crate::error::{EncodeError, Error, Result};
use crate::pagination::{ItemStream, Page, PageStyle, PAGE_SIZE};
use crate::route::Route;

/// Serializes a request builder (its `Serialize` form *is* the query) onto a route.
pub(crate) fn with_query<Q: Serialize>(route: Route, query: &Q) -> Result<Route> {
    let encoded = serde_urlencoded::to_string(query).map_err(|source| Error::Encode {
        path: route.path(),
        source: EncodeError::Query(source),
    })?;
    Ok(route.with_query(encoded))
}

impl Client {
    /// Streams `route` with the request builder `query` as its query string, in the given page
    /// style, from page `start` on; a query that cannot be encoded becomes a stream of that
    /// one error.
    pub(crate) fn list_pages_with_query<T, Q>(
        &self,
        route: Route,
        query: &Q,
        style: PageStyle,
        start: u32,
    ) -> ItemStream<T>
    where
        T: DeserializeOwned + Send + 'static,
        Q: Serialize,
    {
        match with_query(route, query) {
            Ok(route) => self.list_pages(route, style, start, PAGE_SIZE),
            Err(error) => stream::once(async move { Err(error) }).boxed(),
        }
    }

    /// Fetches page `number` of `route` with the request builder `query` as its query string.
    pub(crate) async fn fetch_page_with_query<T, Q>(
        &self,
        route: Route,
        query: &Q,
        style: PageStyle,
        number: u32,
    ) -> Result<Page<T>>
    where
        T: DeserializeOwned,
        Q: Serialize,
    {
        let route = with_query(route, query)?;
        self.clone()
            .fetch_page(route, style, number, PAGE_SIZE)
            .await
    }
}
