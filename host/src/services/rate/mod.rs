//! Per-domain politeness: at most N requests in flight on a key (a spider's host) and a
//! minimum gap between two request starts. In-process for one node; on Redis the limit holds
//! across every node of a cluster.

pub mod memory;
pub mod redis;

use std::time::Duration;

use async_trait::async_trait;

use super::ServiceError;

/// What a key allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub concurrency: u32,
    pub delay: Duration,
}

/// A request's place on its key; dropping it frees the place.
pub struct Permit {
    _release: Box<dyn Send + Sync>,
}

impl Permit {
    pub fn new(release: impl Send + Sync + 'static) -> Self {
        Self {
            _release: Box::new(release),
        }
    }
}

#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Waits until a request on `key` may start under `rule`.
    async fn enter(&self, key: &str, rule: Rule) -> Result<Permit, ServiceError>;
}

#[cfg(test)]
pub(crate) mod behaviour {
    use std::time::Instant;

    use super::*;

    pub async fn limits_concurrency_per_key(r: &dyn RateLimiter) {
        let one = Rule {
            concurrency: 1,
            delay: Duration::ZERO,
        };
        let first = r.enter("a", one).await.unwrap();
        let blocked = tokio::time::timeout(Duration::from_millis(100), r.enter("a", one)).await;
        assert!(blocked.is_err(), "a second request on the same key waits");
        let other = tokio::time::timeout(Duration::from_secs(2), r.enter("b", one)).await;
        assert!(other.is_ok(), "another key is not held up");
        drop(first);
        let next = tokio::time::timeout(Duration::from_secs(2), r.enter("a", one)).await;
        assert!(next.is_ok(), "a freed place is taken again");
    }

    pub async fn spaces_request_starts(r: &dyn RateLimiter) {
        let spaced = Rule {
            concurrency: 4,
            delay: Duration::from_millis(60),
        };
        let started = Instant::now();
        for _ in 0..3 {
            drop(r.enter("c", spaced).await.unwrap());
        }
        assert!(started.elapsed() >= Duration::from_millis(120));
    }
}
