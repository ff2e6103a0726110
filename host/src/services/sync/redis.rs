//! Shared state on Redis: a hash `mocra:<ns>:sync:<topic>` with `version` and `value`,
//! updated by one script so the two never disagree, and a notification on channel
//! `mocra:<ns>:sync-changed:<topic>` carrying the new version. Readers re-read the hash,
//! so a missed notification only delays them.

use async_trait::async_trait;
use redis::Script;

use super::{SharedState, Versioned};
use crate::services::ServiceError;
use crate::services::redis::{RedisConn, service_error};

const PUBLISH: &str = r"
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'value', ARGV[1])
redis.call('PUBLISH', ARGV[2], version)
return version
";

pub struct RedisSharedState {
    redis: RedisConn,
    publish: Script,
}

impl RedisSharedState {
    pub fn new(redis: RedisConn) -> Self {
        Self {
            redis,
            publish: Script::new(PUBLISH),
        }
    }
}

#[async_trait]
impl SharedState for RedisSharedState {
    async fn get(&self, topic: &str) -> Result<Option<Versioned>, ServiceError> {
        let (version, value): (Option<u64>, Option<Vec<u8>>) = redis::cmd("HMGET")
            .arg(self.redis.key("sync", topic))
            .arg("version")
            .arg("value")
            .query_async(&mut self.redis.con())
            .await
            .map_err(service_error)?;
        Ok(version.map(|version| Versioned {
            version,
            value: value.unwrap_or_default(),
        }))
    }

    async fn publish(&self, topic: &str, value: Vec<u8>) -> Result<u64, ServiceError> {
        self.publish
            .key(self.redis.key("sync", topic))
            .arg(value)
            .arg(self.redis.key("sync-changed", topic))
            .invoke_async(&mut self.redis.con())
            .await
            .map_err(service_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::redis::harness::RedisServer;

    #[tokio::test]
    async fn versions_grow() {
        let server = RedisServer::start().await;
        let state = RedisSharedState::new(server.conn().await);
        super::super::behaviour::versions_grow(&state).await;
    }
}
