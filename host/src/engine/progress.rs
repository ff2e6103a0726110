//! Live progress on a terminal: one line, rewritten every second.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use super::stats::Stats;
use crate::services::queue::Queue;

/// Prints progress to stderr until the returned task is aborted; prints nothing when stderr
/// is not a terminal (logs and CI stay clean).
pub fn spawn(stats: Arc<Stats>, queue: Arc<dyn Queue>) -> Option<tokio::task::JoinHandle<()>> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut last_pages = 0;
        loop {
            tick.tick().await;
            let s = stats.summary("");
            let depth = queue.depth().await.unwrap_or_default();
            let rate = s.pages - last_pages;
            last_pages = s.pages;
            eprint!(
                "\r\x1b[2K{} pages ({rate} pages/s)  {} items  {} errors  queue {} ready, {} in flight, {} retrying",
                s.pages,
                s.items,
                s.error_count(),
                depth.ready,
                depth.in_flight,
                depth.delayed
            );
            let _ = std::io::stderr().flush();
        }
    }))
}

/// Clears the progress line.
pub fn clear() {
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[2K");
    }
}
