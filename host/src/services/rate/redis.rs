//! Politeness across a cluster: per key, a sorted set `mocra:<ns>:rate:<key>` of the
//! requests in flight (member: a permit id, score: when its lease runs out) and a string
//! `mocra:<ns>:rate-next:<key>` with the earliest next start. One script checks and takes a
//! place, on Redis's clock, so nodes with skewed clocks still agree. A node that dies holding
//! places loses them when their lease runs out.

use std::time::Duration;

use async_trait::async_trait;
use redis::Script;

use super::{Permit, RateLimiter, Rule};
use crate::services::ServiceError;
use crate::services::redis::{RedisConn, service_error};

/// KEYS[1] holders, KEYS[2] next start; ARGV concurrency, delay ms, lease ms, permit id.
/// Returns 0 when granted, -1 when full, else the ms to wait for the delay.
const ENTER: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return -1 end
local delay = tonumber(ARGV[2])
if delay > 0 then
  local next = tonumber(redis.call('GET', KEYS[2]) or '0')
  if next > now then return next - now end
  redis.call('SET', KEYS[2], now + delay, 'PX', delay + 1000)
end
local lease = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now + lease, ARGV[4])
redis.call('PEXPIRE', KEYS[1], lease)
return 0
";

/// How long to wait before asking again when every place is taken.
const FULL_WAIT: Duration = Duration::from_millis(20);

pub struct RedisRateLimiter {
    redis: RedisConn,
    enter: Script,
    /// A place is held at most this long, however long its request takes.
    lease: Duration,
}

impl RedisRateLimiter {
    pub fn new(redis: RedisConn, lease: Duration) -> Self {
        Self {
            redis,
            enter: Script::new(ENTER),
            lease,
        }
    }
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn enter(&self, key: &str, rule: Rule) -> Result<Permit, ServiceError> {
        let holders = self.redis.key("rate", key);
        let id = uuid::Uuid::new_v4().simple().to_string();
        loop {
            let answer: i64 = self
                .enter
                .key(&holders)
                .key(self.redis.key("rate-next", key))
                .arg(rule.concurrency.max(1))
                .arg(rule.delay.as_millis() as u64)
                .arg(self.lease.as_millis() as u64)
                .arg(&id)
                .invoke_async(&mut self.redis.con())
                .await
                .map_err(service_error)?;
            match answer {
                0 => break,
                -1 => tokio::time::sleep(FULL_WAIT).await,
                ms => tokio::time::sleep(Duration::from_millis(ms.unsigned_abs())).await,
            }
        }
        Ok(Permit::new(Release {
            redis: self.redis.clone(),
            holders,
            id,
        }))
    }
}

/// Frees the place when the permit is dropped (in the background: drop cannot wait).
struct Release {
    redis: RedisConn,
    holders: String,
    id: String,
}

impl Drop for Release {
    fn drop(&mut self) {
        let mut con = self.redis.con();
        let (holders, id) = (
            std::mem::take(&mut self.holders),
            std::mem::take(&mut self.id),
        );
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let freed: redis::RedisResult<()> = redis::cmd("ZREM")
                .arg(&holders)
                .arg(&id)
                .query_async(&mut con)
                .await;
            if let Err(e) = freed {
                tracing::warn!(
                    key = holders,
                    "freeing a politeness place failed (its lease will): {e}"
                );
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::behaviour;
    use super::*;
    use crate::services::redis::harness::RedisServer;

    const LEASE: Duration = Duration::from_secs(30);

    #[tokio::test]
    async fn limits_concurrency_per_key() {
        let server = RedisServer::start().await;
        let r = RedisRateLimiter::new(server.conn().await, LEASE);
        behaviour::limits_concurrency_per_key(&r).await;
    }

    #[tokio::test]
    async fn spaces_request_starts() {
        let server = RedisServer::start().await;
        let r = RedisRateLimiter::new(server.conn().await, LEASE);
        behaviour::spaces_request_starts(&r).await;
    }

    #[tokio::test]
    async fn a_dead_holders_place_is_freed_by_its_lease() {
        let server = RedisServer::start().await;
        let r = RedisRateLimiter::new(server.conn().await, Duration::from_millis(100));
        let one = Rule {
            concurrency: 1,
            delay: Duration::ZERO,
        };
        // A permit that is never dropped: its holder died.
        std::mem::forget(r.enter("d", one).await.unwrap());
        let next = tokio::time::timeout(Duration::from_secs(2), r.enter("d", one)).await;
        assert!(next.is_ok(), "the lease ran out and freed the place");
    }
}
