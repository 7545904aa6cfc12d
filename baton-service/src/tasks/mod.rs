//! Task handlers.

/// Appended (after a newline) to the message of a non-retryable task error, as baton-sdk does.
pub const NON_RETRYABLE_SUFFIX: &str = "task failed and is non-retryable";
