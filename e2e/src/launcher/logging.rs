//! The launcher's log: every service's lines in one stream, each prefixed
//! with the name of the service that wrote it.

use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::{DefaultFields, Format, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent};
use tracing_subscriber::registry::LookupSpan;

use crate::services::Service;

/// Logs to stderr, filtered by `RUST_LOG`, each line prefixed with the
/// service that wrote it, coloured only when stderr is a terminal:
///
/// ```text
/// provider | 2026-11-02T10:00:00.000Z  INFO login succeeded user_id=…
///   client | 2026-11-02T10:00:00.100Z DEBUG request{method=GET path=/callback}: finished processing request latency=41 ms status=303
/// ```
///
/// Without `RUST_LOG` the filter is [`DEFAULT_LOG_FILTER`]: the services'
/// own `info` lines plus one line per request for all three, so the flow can
/// be followed hop by hop across the services.
pub fn init_logging() {
    use std::io::IsTerminal;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG_FILTER));
    let ansi = std::io::stderr().is_terminal();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .event_format(ServicePrefix(Format::default().with_target(false).with_ansi(ansi)))
        .try_init();
}

/// `info`, and tower-http's request lines ("finished processing request …
/// status=302") with the todo API's request span (method and path), which
/// tower-http writes at `debug`; its "started processing request" lines are
/// left out.
pub const DEFAULT_LOG_FILTER: &str = "info,tower_http::trace::make_span=debug,tower_http::trace::on_response=debug,\
                                      tower_http::trace::on_failure=debug";

/// An event format that writes the service's name before the usual line.
struct ServicePrefix(Format);

impl<S> FormatEvent<S, DefaultFields> for ServicePrefix
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, DefaultFields>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let thread = std::thread::current();
        let name = thread
            .name()
            .filter(|name| Service::ALL.iter().any(|service| service.name() == *name))
            .unwrap_or("launcher");
        write!(writer, "{name:>8} | ")?;
        self.0.format_event(ctx, writer, event)
    }
}
