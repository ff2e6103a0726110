//! Cache on Redis strings: `mocra:<ns>:cache:<key>`, TTL as `PX`.

use std::time::Duration;

use async_trait::async_trait;

use super::Cache;
use crate::services::ServiceError;
use crate::services::redis::{RedisConn, service_error};

pub struct RedisCache {
    redis: RedisConn,
}

impl RedisCache {
    pub fn new(redis: RedisConn) -> Self {
        Self { redis }
    }

    fn set_cmd(&self, key: &str, value: Vec<u8>, ttl: Option<Duration>) -> redis::Cmd {
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.redis.key("cache", key)).arg(value);
        if let Some(ttl) = ttl {
            cmd.arg("PX").arg(ttl.as_millis().max(1) as u64);
        }
        cmd
    }
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ServiceError> {
        redis::cmd("GET")
            .arg(self.redis.key("cache", key))
            .query_async(&mut self.redis.con())
            .await
            .map_err(service_error)
    }

    async fn set(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<(), ServiceError> {
        self.set_cmd(key, value, ttl)
            .query_async(&mut self.redis.con())
            .await
            .map_err(service_error)
    }

    async fn set_nx(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<bool, ServiceError> {
        let stored: Option<String> = self
            .set_cmd(key, value, ttl)
            .arg("NX")
            .query_async(&mut self.redis.con())
            .await
            .map_err(service_error)?;
        Ok(stored.is_some())
    }

    async fn incr(&self, key: &str, delta: i64) -> Result<i64, ServiceError> {
        redis::cmd("INCRBY")
            .arg(self.redis.key("cache", key))
            .arg(delta)
            .query_async(&mut self.redis.con())
            .await
            .map_err(|e| match service_error(e) {
                ServiceError::InvalidInput(_) => ServiceError::InvalidInput(format!(
                    "cache key {key:?} does not hold an integer (or the increment overflows)"
                )),
                other => other,
            })
    }

    async fn delete(&self, key: &str) -> Result<bool, ServiceError> {
        let removed: u64 = redis::cmd("DEL")
            .arg(self.redis.key("cache", key))
            .query_async(&mut self.redis.con())
            .await
            .map_err(service_error)?;
        Ok(removed > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::redis::harness::RedisServer;

    crate::cache_behaviour_tests!(async {
        let server = RedisServer::start().await;
        let cache = RedisCache::new(server.conn().await);
        (server, cache)
    });
}
