//! In-process locks.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::{Lease, Locks};
use crate::services::ServiceError;

#[derive(Default)]
pub struct MemoryLocks {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Current holder of each name: its token and lease end.
    held: HashMap<String, (u64, Instant)>,
    /// Last token handed out per name; never reset, like a Redis `INCR` counter.
    tokens: HashMap<String, u64>,
}

impl State {
    fn holds(&self, lease: &Lease) -> bool {
        self.held
            .get(&lease.name)
            .is_some_and(|(token, until)| *token == lease.token && *until > Instant::now())
    }
}

impl MemoryLocks {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl Locks for MemoryLocks {
    async fn acquire(&self, name: &str, ttl: Duration) -> Result<Option<Lease>, ServiceError> {
        let mut state = self.lock();
        let now = Instant::now();
        if state.held.get(name).is_some_and(|(_, until)| *until > now) {
            return Ok(None);
        }
        let token = state.tokens.entry(name.to_owned()).or_insert(0);
        *token += 1;
        let token = *token;
        state.held.insert(name.to_owned(), (token, now + ttl));
        Ok(Some(Lease {
            name: name.to_owned(),
            token,
        }))
    }

    async fn renew(&self, lease: &Lease, ttl: Duration) -> Result<bool, ServiceError> {
        let mut state = self.lock();
        if !state.holds(lease) {
            return Ok(false);
        }
        state
            .held
            .insert(lease.name.clone(), (lease.token, Instant::now() + ttl));
        Ok(true)
    }

    async fn release(&self, lease: &Lease) -> Result<bool, ServiceError> {
        let mut state = self.lock();
        if !state.holds(lease) {
            return Ok(false);
        }
        state.held.remove(&lease.name);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::super::behaviour;
    use super::*;

    #[tokio::test]
    async fn exclusive_with_growing_tokens() {
        behaviour::exclusive_with_growing_tokens(&MemoryLocks::default()).await;
    }

    #[tokio::test]
    async fn expired_lease_is_lost() {
        behaviour::expired_lease_is_lost(&MemoryLocks::default()).await;
    }
}
