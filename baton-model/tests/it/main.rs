//! Integration tests of the model crate (one test binary, a module per area): the c1z writer
//! and reader, Go-written files, and the sync engine over an in-memory connector.

mod c1z_file;
mod go_fixture;
mod sync_engine;
