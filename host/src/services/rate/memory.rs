//! In-process politeness: a semaphore and a next-start time per key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::{Permit, RateLimiter, Rule};
use crate::services::ServiceError;

#[derive(Default)]
pub struct MemoryRateLimiter {
    slots: Mutex<HashMap<String, Arc<Slot>>>,
}

struct Slot {
    permits: Arc<Semaphore>,
    next_start: Mutex<Instant>,
}

impl MemoryRateLimiter {
    /// The key's slot, made with `rule` on first use; the lookup allocates nothing.
    fn slot(&self, key: &str, rule: Rule) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = slots.get(key) {
            return slot.clone();
        }
        let slot = Arc::new(Slot {
            permits: Arc::new(Semaphore::new(rule.concurrency.max(1) as usize)),
            next_start: Mutex::new(Instant::now()),
        });
        slots.insert(key.to_owned(), slot.clone());
        slot
    }
}

#[async_trait]
impl RateLimiter for MemoryRateLimiter {
    async fn enter(&self, key: &str, rule: Rule) -> Result<Permit, ServiceError> {
        let slot = self.slot(key, rule);
        let permit = slot
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("politeness semaphores are never closed");
        if !rule.delay.is_zero() {
            let start = {
                let mut next = slot.next_start.lock().unwrap_or_else(|e| e.into_inner());
                let start = (*next).max(Instant::now());
                *next = start + rule.delay;
                start
            };
            tokio::time::sleep_until(start).await;
        }
        Ok(Permit::new(permit))
    }
}

#[cfg(test)]
mod tests {
    use super::super::behaviour;
    use super::*;

    #[tokio::test]
    async fn limits_concurrency_per_key() {
        behaviour::limits_concurrency_per_key(&MemoryRateLimiter::default()).await;
    }

    #[tokio::test]
    async fn spaces_request_starts() {
        behaviour::spaces_request_starts(&MemoryRateLimiter::default()).await;
    }
}
