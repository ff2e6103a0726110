//! Key-value cache with optional time to live, the way Redis strings behave.

pub mod memory;
pub mod redis;

use std::time::Duration;

use async_trait::async_trait;

use super::ServiceError;

#[async_trait]
pub trait Cache: Send + Sync {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ServiceError>;
    async fn set(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<(), ServiceError>;
    /// Stores only when the key is absent (or expired); true when stored.
    async fn set_nx(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<bool, ServiceError>;
    /// Adds `delta` to the decimal integer stored at `key` (absent is 0); keeps its TTL.
    async fn incr(&self, key: &str, delta: i64) -> Result<i64, ServiceError>;
    /// True when the key existed.
    async fn delete(&self, key: &str) -> Result<bool, ServiceError>;
}

#[cfg(test)]
pub(crate) mod behaviour;
