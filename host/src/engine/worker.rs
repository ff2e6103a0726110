//! One task through the pipeline up to the commit: politeness, download, parse.

use std::sync::Arc;

use super::Crawler;
use super::politeness;
use crate::downloader::retryable_status;
use crate::runtime::{CallFailure, Plugin};
use crate::types::{Output, Response, Task};

/// What happened to a task, for the committer to make permanent.
pub enum Outcome {
    /// Parsed: write the items, enqueue the follow-ups, ack.
    Parsed(Output),
    Failed(Failure),
}

pub enum Failure {
    /// Try again later unless retries are used up.
    Transient { kind: String, message: String },
    /// Count it; a dead letter keeps the task for inspection, otherwise it is acked.
    Final {
        kind: String,
        message: String,
        dead_letter: bool,
    },
}

impl Failure {
    fn transient(kind: impl Into<String>, message: String) -> Self {
        Self::Transient {
            kind: kind.into(),
            message,
        }
    }

    fn final_(kind: impl Into<String>, message: String, dead_letter: bool) -> Self {
        Self::Final {
            kind: kind.into(),
            message,
            dead_letter,
        }
    }
}

impl Crawler {
    pub(super) async fn process(&self, task: &Task) -> Outcome {
        match self.fetch_and_parse(task).await {
            Ok(output) => Outcome::Parsed(output),
            Err(failure) => Outcome::Failed(failure),
        }
    }

    async fn fetch_and_parse(&self, task: &Task) -> Result<Output, Failure> {
        let Some(plugin) = self.plugins.get(&task.spider).cloned() else {
            let message = format!("no plugin named {} is loaded on this node", task.spider);
            return Err(Failure::final_("no-plugin", message, true));
        };
        let response = self.download(&plugin, task).await?;
        plugin
            .pool
            .parse(&response, &task.run)
            .await
            .map_err(|e| match e.failure {
                // The host could not run the plugin (no instance slot free, ...): not the
                // plugin's fault, so the task gets another chance.
                CallFailure::Host => Failure::transient(e.failure.kind(), e.to_string()),
                // The same bytes would fail the same way again: keep the task for inspection.
                _ => Failure::final_(e.failure.kind(), e.to_string(), true),
            })
    }

    async fn download(&self, plugin: &Arc<Plugin>, task: &Task) -> Result<Response, Failure> {
        let rule = politeness::rule(plugin.info.politeness.as_ref(), self.default_politeness);
        let key = politeness::key(&task.spider, &task.request.url);
        let permit = self
            .services
            .rate
            .enter(&key, rule)
            .await
            .map_err(|e| Failure::transient("politeness", e.to_string()))?;
        let fetched = self
            .downloader
            .fetch(task.request.clone(), &plugin.allow)
            .await;
        drop(permit);
        let response = match fetched {
            Err(e) if e.retryable() => return Err(Failure::transient(e.kind(), e.to_string())),
            Err(e) => return Err(Failure::final_(e.kind(), e.to_string(), false)),
            Ok(response) => response,
        };
        let status = response.status;
        if (200..300).contains(&status) {
            return Ok(response);
        }
        let kind = format!("http-{status}");
        let message = format!("{} answered {status}", response.url);
        if retryable_status(status) {
            Err(Failure::transient(kind, message))
        } else {
            Err(Failure::final_(kind, message, false))
        }
    }
}
