//! The services the host owns, one trait each, with an in-process backend (the default).
//!
//! Keys, topics and lock names arrive here already namespaced by the caller: the services
//! know nothing about plugins.

pub mod cache;
pub mod cluster;
pub mod dedup;
pub mod frontier;
pub mod lock;
pub mod queue;
pub mod rate;
pub mod redis;
pub mod sync;

use std::sync::Arc;

/// Why a service call failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The caller asked for something the backend cannot do with this input.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The backend is out of reach; the call may succeed later.
    #[error("service unavailable: {0}")]
    Unavailable(String),
}

/// Every service the host offers, as shared trait objects.
#[derive(Clone)]
pub struct Services {
    pub queue: Arc<dyn queue::Queue>,
    pub dedup: Arc<dyn dedup::Dedup>,
    pub cache: Arc<dyn cache::Cache>,
    pub sync: Arc<dyn sync::SharedState>,
    pub locks: Arc<dyn lock::Locks>,
    pub rate: Arc<dyn rate::RateLimiter>,
}

impl Services {
    /// Everything on the Redis at `url`, under `mocra:<namespace>:`, shared by every node
    /// that names the same Redis and namespace. `consumer` names this node in the queue's
    /// consumer group.
    pub async fn redis(
        url: &str,
        namespace: &str,
        consumer: String,
        queue_config: queue::QueueConfig,
    ) -> Result<Self, ServiceError> {
        let conn = redis::RedisConn::connect(url, namespace).await?;
        let blocking = redis::RedisConn::connect(url, namespace).await?;
        // A place on a domain is held at most as long as its task may stay unacked.
        let lease = queue_config.visibility_timeout;
        let queue = queue::redis::RedisQueue::new(conn.clone(), blocking, consumer, queue_config);
        Ok(Self {
            queue: Arc::new(queue.await?),
            dedup: Arc::new(dedup::redis::RedisDedup::new(conn.clone())),
            cache: Arc::new(cache::redis::RedisCache::new(conn.clone())),
            sync: Arc::new(sync::redis::RedisSharedState::new(conn.clone())),
            locks: Arc::new(lock::redis::RedisLocks::new(conn.clone())),
            rate: Arc::new(rate::redis::RedisRateLimiter::new(conn, lease)),
        })
    }

    /// The embedded default: everything in this process, nothing shared with other nodes.
    pub fn in_memory(queue_config: queue::QueueConfig) -> Self {
        Self {
            queue: Arc::new(queue::memory::MemoryQueue::new(queue_config)),
            dedup: Arc::new(dedup::memory::MemoryDedup::default()),
            cache: Arc::new(cache::memory::MemoryCache::default()),
            sync: Arc::new(sync::memory::MemorySharedState::default()),
            locks: Arc::new(lock::memory::MemoryLocks::default()),
            rate: Arc::new(rate::memory::MemoryRateLimiter::default()),
        }
    }
}
