//! Locks on Redis: the holder's token in `mocra:<ns>:lock:<name>` with `PX`, the fencing
//! counter in `mocra:<ns>:lock-token:<name>` (`INCR`, never reset). Acquire, renew and
//! release are scripts, so a check and its write cannot interleave with another node's.

use std::time::Duration;

use async_trait::async_trait;
use redis::Script;

use super::{Lease, Locks};
use crate::services::ServiceError;
use crate::services::redis::{RedisConn, service_error};

const ACQUIRE: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
return token
";

const RENEW: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
";

const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

pub struct RedisLocks {
    redis: RedisConn,
    acquire: Script,
    renew: Script,
    release: Script,
}

impl RedisLocks {
    pub fn new(redis: RedisConn) -> Self {
        Self {
            redis,
            acquire: Script::new(ACQUIRE),
            renew: Script::new(RENEW),
            release: Script::new(RELEASE),
        }
    }
}

fn millis(ttl: Duration) -> u64 {
    ttl.as_millis().clamp(1, u128::from(u64::MAX)) as u64
}

#[async_trait]
impl Locks for RedisLocks {
    async fn acquire(&self, name: &str, ttl: Duration) -> Result<Option<Lease>, ServiceError> {
        let token: u64 = self
            .acquire
            .key(self.redis.key("lock", name))
            .key(self.redis.key("lock-token", name))
            .arg(millis(ttl))
            .invoke_async(&mut self.redis.con())
            .await
            .map_err(service_error)?;
        Ok((token > 0).then(|| Lease {
            name: name.to_owned(),
            token,
        }))
    }

    async fn renew(&self, lease: &Lease, ttl: Duration) -> Result<bool, ServiceError> {
        let renewed: u64 = self
            .renew
            .key(self.redis.key("lock", &lease.name))
            .arg(lease.token)
            .arg(millis(ttl))
            .invoke_async(&mut self.redis.con())
            .await
            .map_err(service_error)?;
        Ok(renewed == 1)
    }

    async fn release(&self, lease: &Lease) -> Result<bool, ServiceError> {
        let released: u64 = self
            .release
            .key(self.redis.key("lock", &lease.name))
            .arg(lease.token)
            .invoke_async(&mut self.redis.con())
            .await
            .map_err(service_error)?;
        Ok(released == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::super::behaviour;
    use super::*;
    use crate::services::redis::harness::RedisServer;

    #[tokio::test]
    async fn exclusive_with_growing_tokens() {
        let server = RedisServer::start().await;
        behaviour::exclusive_with_growing_tokens(&RedisLocks::new(server.conn().await)).await;
    }

    #[tokio::test]
    async fn expired_lease_is_lost() {
        let server = RedisServer::start().await;
        behaviour::expired_lease_is_lost(&RedisLocks::new(server.conn().await)).await;
    }
}
