//! Encoding request-builder structs into query strings.

use futures::stream::{self, StreamExt};
use serde::Serialize;

use crate::error::{EncodeError, Error, Result};
use crate::pagination::ItemStream;
use crate::route::Route;

/// Serializes a request builder (its `Serialize` form *is* the query) onto a route.
pub(crate) fn with_query<Q: Serialize>(route: Route, query: &Q) -> Result<Route> {
    let encoded = serde_urlencoded::to_string(query).map_err(|source| Error::Encode {
        path: route.path(),
        source: EncodeError::Query(source),
    })?;
    Ok(route.with_query(encoded))
}

/// A stream that yields one error, for builders whose query could not be encoded.
pub(crate) fn failed<T: Send + 'static>(error: Error) -> ItemStream<T> {
    stream::once(async move { Err(error) }).boxed()
}
