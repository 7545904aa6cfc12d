//! Integration tests of the Workato connector against the fake Workato server.

mod api_cost;
mod common;
mod defects;
mod encoded;
mod expansion;
mod folders;
mod permissions;
mod provision;
mod rate_limit;
mod sync_default;
