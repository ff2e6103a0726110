//! The duplicate filter on Redis: one set `mocra:<ns>:dedup` of 8-byte fingerprints, shared
//! by every node; a batch is one pipeline of `SADD`s.

use async_trait::async_trait;

use super::Dedup;
use crate::services::ServiceError;
use crate::services::redis::{RedisConn, service_error};
use crate::types::Fingerprint;

pub struct RedisDedup {
    redis: RedisConn,
}

impl RedisDedup {
    pub fn new(redis: RedisConn) -> Self {
        Self { redis }
    }
}

#[async_trait]
impl Dedup for RedisDedup {
    async fn insert_many(&self, fingerprints: &[Fingerprint]) -> Result<Vec<bool>, ServiceError> {
        if fingerprints.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.redis.key("dedup", "fingerprints");
        let mut pipe = redis::pipe();
        for fp in fingerprints {
            pipe.cmd("SADD").arg(&key).arg(&fp.0.to_be_bytes()[..]);
        }
        let added: Vec<u64> = pipe
            .query_async(&mut self.redis.con())
            .await
            .map_err(service_error)?;
        Ok(added.into_iter().map(|n| n == 1).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::redis::harness::RedisServer;

    #[tokio::test]
    async fn answers_new_then_seen() {
        let server = RedisServer::start().await;
        super::super::behaviour::answers_new_then_seen(&RedisDedup::new(server.conn().await)).await;
    }
}
