//! What a Redis cluster is doing, for `mocra-host status`: read straight from the key layout
//! the Redis backends write.

use std::collections::BTreeMap;
use std::fmt;

use super::ServiceError;
use super::queue::QueueDepth;
use super::queue::redis as queue;
use super::redis::{RedisConn, service_error};

/// A worker counts as alive while it touched the queue this recently; an idle worker still
/// polls every 200 ms.
const ALIVE_WITHIN_MS: u64 = 10_000;

#[derive(Debug, Default)]
pub struct ClusterStatus {
    pub workers_alive: Vec<String>,
    /// Per priority (its `dead` is always 0: dead letters are not per priority).
    pub priorities: BTreeMap<u8, QueueDepth>,
    pub depth: QueueDepth,
    /// `spider/run` → items written.
    pub runs: BTreeMap<String, i64>,
}

pub async fn status(redis: &RedisConn) -> Result<ClusterStatus, ServiceError> {
    let mut con = redis.con();
    let priorities = queue::priorities(redis).await?;
    let (per_priority, depth) = queue::depth_by_priority(redis, &priorities).await?;
    let mut status = ClusterStatus {
        priorities: per_priority,
        depth,
        ..ClusterStatus::default()
    };
    let mut alive = std::collections::BTreeSet::new();
    for p in priorities {
        let stream = queue::stream_key(redis, p);
        let consumers: Vec<BTreeMap<String, redis::Value>> = redis::cmd("XINFO")
            .arg("CONSUMERS")
            .arg(&stream)
            .arg(queue::GROUP)
            .query_async(&mut con)
            .await
            .map_err(service_error)?;
        for c in consumers {
            let name: Option<String> = c
                .get("name")
                .and_then(|v| redis::from_redis_value_ref(v).ok());
            let idle: Option<u64> = c
                .get("idle")
                .and_then(|v| redis::from_redis_value_ref(v).ok());
            if let (Some(name), Some(idle)) = (name, idle)
                && idle < ALIVE_WITHIN_MS
            {
                alive.insert(name);
            }
        }
    }
    status.workers_alive = alive.into_iter().collect();
    let prefix = redis.key("cache", "#items/");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut con)
        .await
        .map_err(service_error)?;
    for key in keys {
        let n: i64 = redis::cmd("GET")
            .arg(&key)
            .query_async(&mut con)
            .await
            .map_err(service_error)?;
        status.runs.insert(key[prefix.len()..].to_owned(), n);
    }
    Ok(status)
}

impl fmt::Display for ClusterStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "workers alive: {} {:?}",
            self.workers_alive.len(),
            self.workers_alive
        )?;
        for (p, d) in self.priorities.iter().rev() {
            writeln!(
                f,
                "priority {p}: {} ready, {} in flight, {} delayed retries",
                d.ready, d.in_flight, d.delayed
            )?;
        }
        writeln!(
            f,
            "total: {} ready, {} in flight (pending), {} delayed retries, {} dead letters",
            self.depth.ready, self.depth.in_flight, self.depth.delayed, self.depth.dead
        )?;
        write!(f, "runs:")?;
        if self.runs.is_empty() {
            write!(f, " none")?;
        }
        for (run, items) in &self.runs {
            write!(f, "\n  {run}: {items} items")?;
        }
        Ok(())
    }
}
