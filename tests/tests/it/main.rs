//! Cross-crate tests that need no binary (one test binary, a module per area): the fault suite
//! (connector and sync engine against a misbehaving fake Workato server) and property tests of
//! the API models and id parsers.

mod faults;
mod proptest_models;
