//! In-process cache: a map of entries with deadlines, expired lazily on access and swept
//! every so many writes so that never-read keys do not pile up.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::Cache;
use crate::services::ServiceError;

const SWEEP_EVERY_WRITES: u64 = 1024;

#[derive(Default)]
pub struct MemoryCache {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    entries: HashMap<String, Entry>,
    writes: u64,
}

struct Entry {
    value: Vec<u8>,
    expires_at: Option<Instant>,
}

impl Entry {
    fn live(&self, now: Instant) -> bool {
        self.expires_at.is_none_or(|at| at > now)
    }
}

impl State {
    fn live(&mut self, key: &str) -> Option<&mut Entry> {
        let now = Instant::now();
        if self.entries.get(key).is_some_and(|e| !e.live(now)) {
            self.entries.remove(key);
        }
        self.entries.get_mut(key)
    }

    fn write(&mut self, key: &str, value: Vec<u8>, ttl: Option<Duration>) {
        self.writes += 1;
        if self.writes.is_multiple_of(SWEEP_EVERY_WRITES) {
            let now = Instant::now();
            self.entries.retain(|_, e| e.live(now));
        }
        let expires_at = ttl.map(|ttl| Instant::now() + ttl);
        self.entries
            .insert(key.to_owned(), Entry { value, expires_at });
    }
}

impl MemoryCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Parses a counter the way Redis does: the value must be a decimal 64-bit integer.
pub(crate) fn parse_counter(key: &str, value: &[u8]) -> Result<i64, ServiceError> {
    std::str::from_utf8(value)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            ServiceError::InvalidInput(format!("cache key {key:?} does not hold an integer"))
        })
}

#[async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ServiceError> {
        Ok(self.lock().live(key).map(|e| e.value.clone()))
    }

    async fn set(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<(), ServiceError> {
        self.lock().write(key, value, ttl);
        Ok(())
    }

    async fn set_nx(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<bool, ServiceError> {
        let mut state = self.lock();
        if state.live(key).is_some() {
            return Ok(false);
        }
        state.write(key, value, ttl);
        Ok(true)
    }

    async fn incr(&self, key: &str, delta: i64) -> Result<i64, ServiceError> {
        let mut state = self.lock();
        let (current, expires_at) = match state.live(key) {
            Some(e) => (parse_counter(key, &e.value)?, e.expires_at),
            None => (0, None),
        };
        let next = current.checked_add(delta).ok_or_else(|| {
            ServiceError::InvalidInput(format!("cache key {key:?}: increment overflows"))
        })?;
        let ttl = expires_at.map(|at| at.saturating_duration_since(Instant::now()));
        state.write(key, next.to_string().into_bytes(), ttl);
        Ok(next)
    }

    async fn delete(&self, key: &str) -> Result<bool, ServiceError> {
        let mut state = self.lock();
        let existed = state.live(key).is_some();
        state.entries.remove(key);
        Ok(existed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::cache_behaviour_tests!(async { ((), MemoryCache::default()) });
}
