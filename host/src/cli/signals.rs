//! SIGINT and SIGTERM start a graceful drain.

use mocra_host::engine::ShutdownTrigger;
use tokio::signal::unix::{SignalKind, signal};

/// Triggers shutdown on the first SIGINT or SIGTERM.
pub fn forward(trigger: ShutdownTrigger) -> anyhow::Result<()> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::spawn(async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM: finishing in-flight tasks, then stopping"),
            _ = int.recv() => tracing::info!("SIGINT: finishing in-flight tasks, then stopping"),
        }
        trigger.trigger();
    });
    Ok(())
}
