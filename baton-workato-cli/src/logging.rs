//! Logs through `tracing`: JSON lines by default (as baton), `console` for people.

use std::io;
use std::sync::{Arc, Mutex};

use tracing::Dispatch;
use tracing_subscriber::filter::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::validation::{Origin, UsageError};

/// Log verbosity (`--log-level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogLevel {
    /// Everything.
    Trace,
    /// Debugging detail.
    Debug,
    /// Progress (default).
    Info,
    /// Problems that did not stop the run.
    Warn,
    /// Failures only.
    Error,
}

impl LogLevel {
    /// Reads a `--log-level` value, as baton (zap) spells the levels.
    pub(crate) fn parse(value: &str, origin: Origin) -> Result<LogLevel, UsageError> {
        Ok(match value.trim().to_ascii_lowercase().as_str() {
            "trace" => LogLevel::Trace,
            "debug" => LogLevel::Debug,
            "info" => LogLevel::Info,
            "warn" | "warning" => LogLevel::Warn,
            // zap's higher levels, accepted for baton compatibility.
            "error" | "dpanic" | "panic" | "fatal" => LogLevel::Error,
            _ => {
                let expected = "trace, debug, info, warn, error";
                return Err(UsageError::Invalid {
                    flag: "--log-level",
                    origin,
                    reason: format!("{value:?} is not a log level; expected one of {expected}"),
                });
            }
        })
    }
}

/// Log format (`--log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogFormat {
    /// One JSON object per line (default, as baton).
    Json,
    /// Human-readable lines.
    Console,
}

impl LogFormat {
    /// Reads a `--log-format` value.
    pub(crate) fn parse(value: &str, origin: Origin) -> Result<LogFormat, UsageError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(LogFormat::Json),
            "console" => Ok(LogFormat::Console),
            _ => Err(UsageError::Invalid {
                flag: "--log-format",
                origin,
                reason: format!("{value:?} is not a log format; expected json or console"),
            }),
        }
    }
}

/// Noisy dependencies are capped at `warn` unless the user asks for `trace`.
const QUIET_DEPS: &str = "hyper=warn,hyper_util=warn,h2=warn,rustls=warn,reqwest=warn";

/// Builds a dispatcher writing to `writer` at `level` in `format`. Install it globally
/// (`tracing::dispatcher::set_global_default`) in the binary, or per thread in tests.
pub(crate) fn dispatch<W>(level: LogLevel, format: LogFormat, writer: W, ansi: bool) -> Dispatch
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let level_name = match level {
        LogLevel::Trace => "trace",
        LogLevel::Debug => "debug",
        LogLevel::Info => "info",
        LogLevel::Warn => "warn",
        LogLevel::Error => "error",
    };
    let directives = if level == LogLevel::Trace {
        level_name.to_string()
    } else {
        format!("{level_name},{QUIET_DEPS}")
    };
    let filter = EnvFilter::builder().parse_lossy(directives);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Json => Dispatch::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_span_list(false)
                .finish(),
        ),
        LogFormat::Console => Dispatch::new(builder.with_ansi(ansi).finish()),
    }
}

/// Erases the live progress line (`\r` + "erase line") before every log line, so a log event
/// during a sync on a terminal starts on a clean line instead of gluing onto the progress text.
#[derive(Debug, Clone)]
pub(crate) struct ClearLine<M>(pub(crate) M);

/// The writer of [`ClearLine`].
#[derive(Debug)]
pub(crate) struct ClearLineWriter<W>(W);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for ClearLine<M> {
    type Writer = ClearLineWriter<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        ClearLineWriter(self.0.make_writer())
    }
}

impl<W: io::Write> io::Write for ClearLineWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // The fmt layer writes each event with one call; write_all keeps the prefix single.
        self.0.write_all(b"\r\x1b[2K")?;
        self.0.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// An in-memory stderr for in-process runs and tests: every clone appends to the same buffer.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// Everything written so far, lossily decoded.
    pub fn contents(&self) -> String {
        let guard = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        String::from_utf8_lossy(&guard).into_owned()
    }
}

impl io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        guard.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn capture(level: LogLevel, format: LogFormat) -> String {
        let buf = Capture::default();
        let d = dispatch(level, format, buf.clone(), false);
        tracing::dispatcher::with_default(&d, || {
            tracing::debug!("hidden at info");
            tracing::info!(count = 3, "synced");
        });
        buf.contents()
    }

    #[test]
    fn json_lines_by_default_shape() {
        let out = capture(LogLevel::Info, LogFormat::Json);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 1, "{out}");
        let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(v["message"], "synced");
        assert_eq!(v["count"], 3);
        assert_eq!(v["level"], "INFO");
    }

    #[test]
    fn clear_line_prefixes_each_write() {
        let buf = Capture::default();
        let d = dispatch(
            LogLevel::Info,
            LogFormat::Console,
            ClearLine(buf.clone()),
            false,
        );
        tracing::dispatcher::with_default(&d, || {
            tracing::info!("one");
            tracing::info!("two");
        });
        let out = buf.contents();
        assert_eq!(out.matches("\r\x1b[2K").count(), 2, "{out:?}");
        assert!(out.starts_with("\r\x1b[2K"), "{out:?}");
    }

    #[test]
    fn console_and_debug_level() {
        let out = capture(LogLevel::Debug, LogFormat::Console);
        assert!(out.contains("hidden at info"), "{out}");
        assert!(out.contains("synced count=3"), "{out}");
        assert!(!out.contains('\u{1b}'), "no ANSI when disabled: {out}");
    }
}
