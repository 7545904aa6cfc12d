//! Integration tests of the HTTP client against mockito servers (one server per test, exact
//! requests, exact call counts and a loud catch-all for anything unexpected), and of the fake
//! Workato server over real HTTP.

mod endpoints;
mod errors;
mod fake;
mod pagination;
mod retry;
mod security;
mod support;
