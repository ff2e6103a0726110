//! The crawl frontier: tasks with priorities, at-least-once delivery, delayed retries and a
//! dead-letter queue; plus named message topics plugins publish to.

pub mod memory;
pub mod redis;

use std::time::Duration;

use async_trait::async_trait;

use super::ServiceError;
use crate::types::{Task, TaskId};

#[derive(Clone, Debug)]
pub struct QueueConfig {
    /// A task taken but neither acked nor retried within this time is delivered again: its
    /// worker is presumed dead.
    pub visibility_timeout: Duration,
    /// A task delivered this often without an ack (its workers keep dying on it) goes to
    /// the dead-letter queue instead of being delivered again.
    pub max_deliveries: u32,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            visibility_timeout: Duration::from_secs(300),
            max_deliveries: 5,
        }
    }
}

/// How much work the frontier holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueDepth {
    /// Waiting to be taken.
    pub ready: usize,
    /// Taken and not yet acked.
    pub in_flight: usize,
    /// Waiting for their retry time.
    pub delayed: usize,
    /// Given up on, kept for inspection.
    pub dead: usize,
}

impl QueueDepth {
    /// True when no task will ever be delivered again without new work arriving.
    pub fn is_drained(&self) -> bool {
        self.ready == 0 && self.in_flight == 0 && self.delayed == 0
    }
}

/// A task given up on, with the reason.
#[derive(Clone, Debug)]
pub struct DeadLetter {
    pub task: Task,
    pub reason: String,
}

#[async_trait]
pub trait Queue: Send + Sync {
    /// Assigns ids and adds the tasks; higher priority is delivered first.
    async fn push(&self, tasks: Vec<Task>) -> Result<(), ServiceError>;
    /// Takes up to `max` tasks, waiting up to `wait` for the first one.
    async fn pop(&self, max: usize, wait: Duration) -> Result<Vec<Task>, ServiceError>;
    /// Marks taken tasks done; they are never delivered again.
    async fn ack(&self, ids: &[TaskId]) -> Result<(), ServiceError>;
    /// Hands a taken task back, to be delivered again after `delay`.
    async fn retry(&self, task: Task, delay: Duration) -> Result<(), ServiceError>;
    /// Gives up on a taken task.
    async fn dead_letter(&self, task: Task, reason: String) -> Result<(), ServiceError>;
    async fn dead_letters(&self) -> Result<Vec<DeadLetter>, ServiceError>;
    async fn depth(&self) -> Result<QueueDepth, ServiceError>;
    /// Appends a message to a named topic.
    async fn publish(&self, topic: &str, payload: Vec<u8>) -> Result<(), ServiceError>;
    /// Takes up to `max` messages from a topic, oldest first.
    async fn consume(&self, topic: &str, max: usize) -> Result<Vec<Vec<u8>>, ServiceError>;
}

#[cfg(test)]
pub(crate) mod behaviour;
