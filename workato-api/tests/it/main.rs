//! Integration tests of the HTTP client against mockito servers: one server per test, exact
//! requests, exact call counts and a loud catch-all for anything unexpected.

mod endpoints;
mod errors;
mod pagination;
mod retry;
mod security;
mod support;
