//! The runtime async unit tests run on: built by hand rather than by `#[tokio::test]`, so that
//! tokio's `macros` feature stays out of this crate's dependency tree, dev edges included.

use std::future::Future;

/// Runs `future` to completion on a fresh current-thread runtime with I/O and timers enabled.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("test runtime builds")
        .block_on(future)
}
