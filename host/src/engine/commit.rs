//! Making outcomes permanent, a batch at a time: items are written and flushed, follow-ups
//! deduplicated and enqueued, and only then are the tasks acked. A crash anywhere before
//! the ack leaves the task to be delivered again (at-least-once).

use std::collections::HashMap;

use tokio::sync::mpsc;

use super::Crawler;
use super::worker::{Failure, Outcome};
use crate::services::ServiceError;
use crate::types::{Request, RunId, SpiderName, Task, TaskId};

/// Outcomes taken in one batch at the most.
const BATCH: usize = 512;

/// The shared counter of a run's items (what `status` reports).
pub fn run_items_key(spider: &SpiderName, run: &RunId) -> String {
    format!("#items/{spider}/{run}")
}

impl Crawler {
    /// Runs until every sender is gone, then flushes the sinks.
    pub(super) async fn commit_loop(&self, mut outcomes: mpsc::Receiver<(Task, Outcome)>) {
        let mut batch = Vec::with_capacity(BATCH);
        while outcomes.recv_many(&mut batch, BATCH).await > 0 {
            self.commit(std::mem::take(&mut batch)).await;
        }
        if let Err(e) = self.sinks.lock().unwrap_or_else(|e| e.into_inner()).flush() {
            tracing::error!("{e}");
        }
    }

    async fn commit(&self, batch: Vec<(Task, Outcome)>) {
        let mut acks = Vec::with_capacity(batch.len());
        let mut follow_ups: HashMap<(SpiderName, RunId), Vec<Request>> = HashMap::new();
        let mut later = Vec::new();
        let mut items_per_run: HashMap<(SpiderName, RunId), i64> = HashMap::new();
        {
            let mut sinks = self.sinks.lock().unwrap_or_else(|e| e.into_inner());
            for (task, outcome) in batch {
                match outcome {
                    Outcome::Parsed(output) => {
                        let mut written = 0;
                        for item in &output.items {
                            match sinks.write(&task.spider, item) {
                                Ok(()) => written += 1,
                                Err(e) => {
                                    tracing::warn!(spider = %task.spider, url = %task.request.url, "{e}");
                                    self.stats.error("bad-item");
                                }
                            }
                        }
                        self.stats.page(written);
                        *items_per_run
                            .entry((task.spider.clone(), task.run.clone()))
                            .or_default() += written as i64;
                        let requests = self.admit(&task.spider, output.requests);
                        follow_ups
                            .entry((task.spider.clone(), task.run.clone()))
                            .or_default()
                            .extend(requests);
                        acks.push(task.id);
                    }
                    Outcome::Failed(failure) => later.push((task, failure)),
                }
            }
            if let Err(e) = sinks.flush() {
                // Without the items on disk the tasks must not be acked: they will be
                // delivered again once the visibility timeout passes.
                tracing::error!("{e}; {} tasks stay unacked", acks.len());
                return;
            }
        }
        // Counted once on disk and before the ack: a crash between the two leaves the tasks
        // unacked, so they are done and counted again. The count is then at least the
        // distinct items and at most the lines written.
        for ((spider, run), n) in items_per_run {
            if let Err(e) = self
                .services
                .cache
                .incr(&run_items_key(&spider, &run), n)
                .await
            {
                tracing::warn!(%spider, %run, "counting the run's items failed: {e}");
            }
        }
        for ((spider, run), requests) in follow_ups {
            let submitted = requests.len();
            match self.frontier.submit(&spider, &run, requests).await {
                Ok(accepted) => {
                    let dropped = submitted - accepted.iter().filter(|a| **a).count();
                    self.stats.duplicates(dropped as u64);
                }
                Err(e) => {
                    tracing::error!(%spider, "enqueueing follow-ups failed: {e}; their tasks stay unacked");
                    return;
                }
            }
        }
        self.ack(&acks).await;
        for (task, failure) in later {
            if let Err(e) = self.settle(task, failure).await {
                tracing::error!("settling a failed task: {e}");
            }
        }
    }

    /// Drops follow-ups a spider may not make: invalid URLs and hosts outside its
    /// allowed domains, counting each.
    pub(super) fn admit(&self, spider: &SpiderName, requests: Vec<Request>) -> Vec<Request> {
        let Some(plugin) = self.plugins.get(spider) else {
            return Vec::new();
        };
        requests
            .into_iter()
            .filter(|r| match plugin.allow.check_url(&r.url) {
                Ok(()) => true,
                Err(reason) => {
                    let kind = if url::Url::parse(&r.url).is_ok() {
                        "offsite"
                    } else {
                        "invalid-url"
                    };
                    tracing::debug!(%spider, "dropping follow-up: {reason}");
                    self.stats.error(kind);
                    false
                }
            })
            .collect()
    }

    async fn ack(&self, ids: &[TaskId]) {
        if let Err(e) = self.services.queue.ack(ids).await {
            tracing::error!(
                "acking {} tasks failed: {e}; they will be delivered again",
                ids.len()
            );
        }
    }

    async fn settle(&self, mut task: Task, failure: Failure) -> Result<(), ServiceError> {
        let queue = &self.services.queue;
        let (kind, message, dead_letter) = match failure {
            Failure::Transient { kind, message } => {
                let policy = self.downloader.retry_policy();
                if task.attempt < policy.max_retries {
                    task.attempt += 1;
                    let delay = policy.delay(task.attempt);
                    tracing::debug!(url = %task.request.url, attempt = task.attempt, ?delay, "{message}; retrying");
                    self.stats.retry();
                    return queue.retry(task, delay).await;
                }
                (
                    kind,
                    format!("{message} (after {} retries)", task.attempt),
                    true,
                )
            }
            Failure::Final {
                kind,
                message,
                dead_letter,
            } => (kind, message, dead_letter),
        };
        tracing::warn!(spider = %task.spider, url = %task.request.url, "{message}");
        self.stats.error(&kind);
        if dead_letter {
            self.stats.dead_letter();
            queue.dead_letter(task, format!("{kind}: {message}")).await
        } else {
            queue.ack(&[task.id]).await
        }
    }
}
