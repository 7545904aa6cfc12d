//! Runnable examples and the benchmark for the baton-workato workspace.
