//! The crawl loop. A dispatcher takes tasks from the frontier in batches and hands them to
//! `concurrency` workers (politeness, download, parse); one committer writes their items,
//! enqueues their follow-ups and acks them, a batch at a time.

pub mod commit;
pub mod node;
mod politeness;
mod progress;
pub mod shutdown;
pub mod stats;
mod worker;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::config::Settings;
use crate::downloader::Downloader;
use crate::runtime::Plugin;
use crate::runtime::engine::EpochTicker;
use crate::services::Services;
use crate::services::frontier::Frontier;
use crate::sinks::jsonl::JsonlSinks;
use crate::types::{RunId, SpiderName, Task, get_request};
pub use shutdown::{Shutdown, ShutdownTrigger};
pub use stats::{Stats, Summary};
use worker::Outcome;

/// The claim on seeding one run of a spider.
pub fn seeded_key(spider: &SpiderName, run: &RunId) -> String {
    format!("#seeded/{spider}/{run}")
}

/// Where a spider's start urls are registered for `submit`.
pub fn spider_key(spider: &SpiderName) -> String {
    format!("#spider/{spider}")
}

/// When the loop ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `run`: once the frontier is empty, nothing is in flight and no retry is pending.
    UntilIdle,
    /// `serve`: only on shutdown.
    Forever,
}

impl Mode {
    /// How long the dispatcher waits on an empty frontier before looking again. `run` looks
    /// often, so it ends promptly once the last task is acked.
    fn poll(self) -> Duration {
        match self {
            Mode::UntilIdle => Duration::from_millis(5),
            Mode::Forever => Duration::from_millis(500),
        }
    }
}

pub struct Crawler {
    settings: Settings,
    services: Services,
    frontier: Frontier,
    downloader: Arc<Downloader>,
    plugins: HashMap<SpiderName, Arc<Plugin>>,
    default_politeness: crate::services::rate::Rule,
    stats: Arc<Stats>,
    sinks: Mutex<JsonlSinks>,
    _ticker: EpochTicker,
}

impl Crawler {
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    pub fn spiders(&self) -> impl Iterator<Item = &SpiderName> {
        self.plugins.keys()
    }

    /// Tells the cluster which spiders this node runs and where they start, so `submit` can
    /// start a run of a spider by name.
    pub async fn register_spiders(&self) {
        for plugin in self.plugins.values() {
            let start = serde_json::to_vec(&plugin.info.start_urls).unwrap_or_default();
            let key = spider_key(&plugin.name);
            if let Err(e) = self.services.cache.set(&key, start, None).await {
                tracing::warn!(spider = %plugin.name, "registering the spider failed: {e}");
            }
        }
    }

    /// Puts every spider's start requests in the frontier: `start_urls` when given (they
    /// replace the spiders' own), else each spider's start urls, plus what its `start()`
    /// returns.
    ///
    /// A run is seeded once however many nodes share the frontier: the first node to claim
    /// `(spider, run)` in the shared cache seeds it, the others skip.
    pub async fn seed(&self, run: &RunId, start_urls: &[String]) {
        for plugin in self.plugins.values() {
            let claim = seeded_key(&plugin.name, run);
            match self.services.cache.set_nx(&claim, Vec::new(), None).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::info!(spider = %plugin.name, %run, "run already seeded by another node");
                    continue;
                }
                Err(e) => {
                    tracing::error!(spider = %plugin.name, %run, "cannot claim the seeding: {e}");
                    continue;
                }
            }
            let urls = if start_urls.is_empty() {
                &plugin.info.start_urls
            } else {
                start_urls
            };
            let mut requests: Vec<_> = urls.iter().map(get_request).collect();
            match plugin.pool.start(run).await {
                Ok(more) => requests.extend(more),
                Err(e) => {
                    tracing::error!("{e}");
                    self.stats.error(e.failure.kind());
                }
            }
            let requests = self.admit(&plugin.name, requests);
            let n = requests.len();
            if let Err(e) = self.frontier.submit(&plugin.name, run, requests).await {
                tracing::error!(spider = %plugin.name, "seeding failed: {e}");
            }
            tracing::info!(spider = %plugin.name, %run, requests = n, "seeded");
        }
    }

    /// Crawls until `mode` says stop or `shutdown` fires; in-flight tasks finish, sinks
    /// are flushed.
    ///
    /// The loop runs as a task of the runtime, not on the caller's thread: hand-offs between
    /// the dispatcher and the workers then stay on the runtime's own threads instead of
    /// waking one from outside for every task.
    pub async fn run(self: &Arc<Self>, mode: Mode, shutdown: Shutdown) {
        let me = self.clone();
        if let Err(e) = tokio::spawn(async move { me.crawl(mode, shutdown).await }).await {
            tracing::error!("the crawl loop failed: {e}");
        }
    }

    async fn crawl(self: &Arc<Self>, mode: Mode, shutdown: Shutdown) {
        let progress = progress::spawn(self.stats.clone(), self.services.queue.clone());
        let concurrency = self.settings.concurrency;
        // Many workers take from one channel; each task wakes exactly one of them.
        let (task_tx, task_rx) = async_channel::bounded::<Task>(concurrency);
        let (outcome_tx, outcome_rx) = mpsc::channel::<(Task, Outcome)>(concurrency * 2);

        let committer = tokio::spawn({
            let me = self.clone();
            async move { me.commit_loop(outcome_rx).await }
        });
        let workers: Vec<_> = (0..concurrency)
            .map(|_| {
                let me = self.clone();
                let tasks = task_rx.clone();
                let outcomes = outcome_tx.clone();
                let shutdown = shutdown.clone();
                tokio::spawn(async move { me.work(tasks, outcomes, shutdown).await })
            })
            .collect();
        drop(outcome_tx);

        self.dispatch(mode, task_tx, shutdown).await;
        for worker in workers {
            if let Err(e) = worker.await {
                tracing::error!("a worker failed: {e}");
            }
        }
        if let Err(e) = committer.await {
            tracing::error!("the committer failed: {e}");
        }
        if let Some(progress) = progress {
            progress.abort();
            progress::clear();
        }
    }

    async fn dispatch(
        &self,
        mode: Mode,
        tasks: async_channel::Sender<Task>,
        mut shutdown: Shutdown,
    ) {
        let queue = &self.services.queue;
        loop {
            let room = tasks
                .capacity()
                .unwrap_or(1)
                .saturating_sub(tasks.len())
                .max(1);
            let batch = tokio::select! {
                batch = queue.pop(room, mode.poll()) => batch,
                () = shutdown.triggered() => break,
            };
            match batch {
                Ok(batch) if batch.is_empty() => {
                    if mode == Mode::UntilIdle && queue.depth().await.is_ok_and(|d| d.is_drained())
                    {
                        break;
                    }
                }
                Ok(batch) => {
                    for task in batch {
                        if tasks.send(task).await.is_err() {
                            return;
                        }
                    }
                }
                Err(e) => {
                    tracing::error!("taking tasks from the frontier failed: {e}; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    async fn work(
        &self,
        tasks: async_channel::Receiver<Task>,
        outcomes: mpsc::Sender<(Task, Outcome)>,
        shutdown: Shutdown,
    ) {
        loop {
            let Ok(task) = tasks.recv().await else { return };
            if shutdown.is_triggered() {
                // Handed back: left unacked, so a shared frontier delivers it again after
                // its visibility timeout (the embedded frontier ends with the process).
                continue;
            }
            let outcome = self.process(&task).await;
            if outcomes.send((task, outcome)).await.is_err() {
                return;
            }
        }
    }
}
