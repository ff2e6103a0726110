//! The in-process frontier: one mutex-guarded state, a `Notify` to wake waiting takers.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::{DeadLetter, Queue, QueueConfig, QueueDepth};
use crate::services::ServiceError;
use crate::types::{Task, TaskId};

pub struct MemoryQueue {
    config: QueueConfig,
    state: Mutex<State>,
    wake: Notify,
}

#[derive(Default)]
struct State {
    next_id: u64,
    /// Ready tasks by priority; the highest key is served first.
    ready: BTreeMap<u8, VecDeque<Task>>,
    ready_len: usize,
    /// Taken tasks and when they become visible again.
    in_flight: HashMap<TaskId, (Task, Instant)>,
    /// Retries by due time; `seq` keeps the heap order total and FIFO among equals.
    delayed: BinaryHeap<Reverse<(Instant, u64, TaskId)>>,
    delayed_tasks: HashMap<TaskId, Task>,
    dead: Vec<DeadLetter>,
    /// Deliveries of each taken task since it was last pushed or retried.
    deliveries: HashMap<TaskId, u32>,
    topics: HashMap<String, VecDeque<Vec<u8>>>,
}

impl State {
    fn enqueue(&mut self, task: Task) {
        self.ready
            .entry(task.request.priority)
            .or_default()
            .push_back(task);
        self.ready_len += 1;
    }

    /// Moves due retries and expired in-flight tasks back to ready (or, delivered too often,
    /// to the dead letters); returns when the next delayed or in-flight task falls due.
    fn promote(&mut self, now: Instant, max_deliveries: u32) -> Option<Instant> {
        while let Some(Reverse((due, _, id))) = self.delayed.peek().copied() {
            if due > now {
                break;
            }
            self.delayed.pop();
            if let Some(task) = self.delayed_tasks.remove(&id) {
                self.enqueue(task);
            }
        }
        let expired: Vec<TaskId> = self
            .in_flight
            .iter()
            .filter(|(_, (_, visible_at))| *visible_at <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
            let Some((task, _)) = self.in_flight.remove(&id) else {
                continue;
            };
            if self.deliveries.get(&id).copied().unwrap_or(0) >= max_deliveries {
                self.deliveries.remove(&id);
                self.dead.push(DeadLetter {
                    task,
                    reason: "delivered too often: its workers died".into(),
                });
            } else {
                tracing::warn!(task = id.0, url = %task.request.url, "task not acked within the visibility timeout; delivering it again");
                self.enqueue(task);
            }
        }
        let next_retry = self.delayed.peek().map(|Reverse((due, _, _))| *due);
        let next_expiry = self.in_flight.values().map(|(_, at)| *at).min();
        next_retry.into_iter().chain(next_expiry).min()
    }

    fn take(&mut self, max: usize, visible_at: Instant) -> Vec<Task> {
        let mut out = Vec::new();
        while out.len() < max {
            let Some(mut entry) = self.ready.last_entry() else {
                break;
            };
            match entry.get_mut().pop_front() {
                Some(task) => {
                    self.ready_len -= 1;
                    *self.deliveries.entry(task.id).or_default() += 1;
                    self.in_flight.insert(task.id, (task.clone(), visible_at));
                    out.push(task);
                }
                None => {
                    entry.remove();
                }
            }
        }
        out
    }

    fn take_in_flight(&mut self, id: TaskId) -> Result<Task, ServiceError> {
        self.deliveries.remove(&id);
        self.in_flight
            .remove(&id)
            .map(|(task, _)| task)
            .ok_or_else(|| ServiceError::InvalidInput(format!("task {} is not in flight", id.0)))
    }
}

impl MemoryQueue {
    pub fn new(config: QueueConfig) -> Self {
        Self {
            config,
            state: Mutex::new(State::default()),
            wake: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock leaves plain collections behind, still consistent
        // enough to keep serving.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl Queue for MemoryQueue {
    async fn push(&self, tasks: Vec<Task>) -> Result<(), ServiceError> {
        if tasks.is_empty() {
            return Ok(());
        }
        {
            let mut state = self.lock();
            for mut task in tasks {
                state.next_id += 1;
                task.id = TaskId(state.next_id);
                state.enqueue(task);
            }
        }
        self.wake.notify_waiters();
        Ok(())
    }

    async fn pop(&self, max: usize, wait: Duration) -> Result<Vec<Task>, ServiceError> {
        let give_up = Instant::now() + wait;
        loop {
            let notified = self.wake.notified();
            let next_due = {
                let now = Instant::now();
                let mut state = self.lock();
                let next_due = state.promote(now, self.config.max_deliveries);
                let tasks = state.take(max, now + self.config.visibility_timeout);
                if !tasks.is_empty() {
                    return Ok(tasks);
                }
                next_due
            };
            let now = Instant::now();
            if now >= give_up {
                return Ok(Vec::new());
            }
            let until = next_due.map_or(give_up, |due| due.min(give_up));
            let _ = tokio::time::timeout_at(until, notified).await;
        }
    }

    async fn ack(&self, ids: &[TaskId]) -> Result<(), ServiceError> {
        let mut state = self.lock();
        for id in ids {
            state.in_flight.remove(id);
            state.deliveries.remove(id);
        }
        Ok(())
    }

    async fn retry(&self, task: Task, delay: Duration) -> Result<(), ServiceError> {
        {
            let mut state = self.lock();
            state.take_in_flight(task.id)?;
            let due = Instant::now() + delay;
            state.next_id += 1;
            let seq = state.next_id;
            state.delayed.push(Reverse((due, seq, task.id)));
            state.delayed_tasks.insert(task.id, task);
        }
        self.wake.notify_waiters();
        Ok(())
    }

    async fn dead_letter(&self, task: Task, reason: String) -> Result<(), ServiceError> {
        let mut state = self.lock();
        state.take_in_flight(task.id)?;
        state.dead.push(DeadLetter { task, reason });
        Ok(())
    }

    async fn dead_letters(&self) -> Result<Vec<DeadLetter>, ServiceError> {
        Ok(self.lock().dead.clone())
    }

    async fn depth(&self) -> Result<QueueDepth, ServiceError> {
        let state = self.lock();
        Ok(QueueDepth {
            ready: state.ready_len,
            in_flight: state.in_flight.len(),
            delayed: state.delayed_tasks.len(),
            dead: state.dead.len(),
        })
    }

    async fn publish(&self, topic: &str, payload: Vec<u8>) -> Result<(), ServiceError> {
        self.lock()
            .topics
            .entry(topic.to_owned())
            .or_default()
            .push_back(payload);
        Ok(())
    }

    async fn consume(&self, topic: &str, max: usize) -> Result<Vec<Vec<u8>>, ServiceError> {
        let mut state = self.lock();
        let Some(messages) = state.topics.get_mut(topic) else {
            return Ok(Vec::new());
        };
        let n = max.min(messages.len());
        Ok(messages.drain(..n).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::queue::behaviour;

    crate::queue_behaviour_tests!(async { ((), MemoryQueue::new(behaviour::config())) });
}
