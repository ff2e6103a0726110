//! The frontier on Redis Streams, shared by every node.
//!
//! Layout under `mocra:<ns>:`
//! - `queue:p<priority>`: one stream per priority, consumer group `workers`; entry field
//!   `task` holds the MessagePack task. Higher priorities are read first.
//! - `queue:priorities`: the set of priorities in use, so every node reads every stream.
//! - `queue:delayed:p<priority>`: retries waiting for their time (sorted set, score = due
//!   ms); a script moves due ones back into the stream.
//! - `queue:dead`: the dead-letter stream (`task`, `reason`).
//! - `queue:next-id`: task ids.
//! - `topic:<name>`: plugin topics (lists).
//!
//! A task stays pending in the group until its worker acks it (`XACK` + `XDEL` in one
//! script: an acked entry is deleted, never trimmed with `MAXLEN` while pending). Entries
//! idle past the visibility timeout belong to a dead worker: `XPENDING` finds them and
//! `XCLAIM` hands them to this node, unless they were delivered `max_deliveries` times
//! already, in which case they go to the dead-letter stream.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use redis::Script;
use redis::streams::{StreamId, StreamPendingCountReply, StreamReadReply};

use super::{DeadLetter, Queue, QueueConfig, QueueDepth};
use crate::services::ServiceError;
use crate::services::redis::{RedisConn, service_error};
use crate::types::{Task, TaskId};

/// The consumer group every worker reads the task streams in.
pub const GROUP: &str = "workers";
/// The longest single blocking read, so shutdown and promotions are never held up long.
const BLOCK_SLICE: Duration = Duration::from_millis(200);

/// Acks and deletes a batch of entries: KEYS[i] the stream of entry i; ARGV[1] group,
/// ARGV[i + 1] entry i.
const ACK: &str = r"
for i, stream in ipairs(KEYS) do
  redis.call('XACK', stream, ARGV[1], ARGV[i + 1])
  redis.call('XDEL', stream, ARGV[i + 1])
end
return #KEYS
";

/// Moves an entry to the delayed set: KEYS[1] stream, KEYS[2] delayed set;
/// ARGV[1] group, ARGV[2] entry id, ARGV[3] due ms, ARGV[4] task.
const RETRY: &str = r"
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
";

/// Moves an entry to the dead-letter stream: KEYS[1] stream, KEYS[2] dead stream;
/// ARGV[1] group, ARGV[2] entry id, ARGV[3] task, ARGV[4] reason.
const DEAD: &str = r"
redis.call('XADD', KEYS[2], '*', 'task', ARGV[3], 'reason', ARGV[4])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return redis.call('XDEL', KEYS[1], ARGV[2])
";

/// Moves due retries into the stream: KEYS[1] delayed set, KEYS[2] stream; ARGV[1] now ms.
const PROMOTE: &str = r"
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1000)
for _, task in ipairs(due) do
  redis.call('XADD', KEYS[2], '*', 'task', task)
  redis.call('ZREM', KEYS[1], task)
end
return #due
";

pub struct RedisQueue {
    redis: RedisConn,
    /// Blocking reads monopolise their connection: they get one of their own.
    blocking: tokio::sync::Mutex<redis::aio::ConnectionManager>,
    consumer: String,
    config: QueueConfig,
    /// Where this node's taken tasks live in Redis, for acking them.
    taken: Mutex<HashMap<TaskId, (u8, String)>>,
    /// Priorities whose stream and group exist (known to this node).
    priorities: Mutex<BTreeSet<u8>>,
    ack: Script,
    retry: Script,
    dead: Script,
    promote: Script,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn decode(entry: &StreamId) -> Result<Task, ServiceError> {
    let bytes: Vec<u8> = entry.get("task").ok_or_else(|| {
        ServiceError::Unavailable(format!("stream entry {} has no task field", entry.id))
    })?;
    rmp_serde::from_slice(&bytes).map_err(|e| {
        ServiceError::Unavailable(format!("stream entry {} is not a task: {e}", entry.id))
    })
}

fn encode(task: &Task) -> Result<Vec<u8>, ServiceError> {
    rmp_serde::to_vec(task).map_err(|e| ServiceError::InvalidInput(e.to_string()))
}

impl RedisQueue {
    /// `consumer` names this node in the consumer group; make it unique per process.
    pub async fn new(
        redis: RedisConn,
        blocking: RedisConn,
        consumer: String,
        config: QueueConfig,
    ) -> Result<Self, ServiceError> {
        Ok(Self {
            blocking: tokio::sync::Mutex::new(blocking.con()),
            redis,
            consumer,
            config,
            taken: Mutex::new(HashMap::new()),
            priorities: Mutex::new(BTreeSet::new()),
            ack: Script::new(ACK),
            retry: Script::new(RETRY),
            dead: Script::new(DEAD),
            promote: Script::new(PROMOTE),
        })
    }

    fn stream(&self, priority: u8) -> String {
        stream_key(&self.redis, priority)
    }

    fn delayed(&self, priority: u8) -> String {
        delayed_key(&self.redis, priority)
    }

    /// Every priority in use, highest first, with its stream and group created.
    async fn known_priorities(&self) -> Result<Vec<u8>, ServiceError> {
        for p in priorities(&self.redis).await? {
            self.ensure_priority(p).await?;
        }
        let known = self.priorities.lock().unwrap_or_else(|e| e.into_inner());
        Ok(known.iter().rev().copied().collect())
    }

    async fn ensure_priority(&self, priority: u8) -> Result<(), ServiceError> {
        if self
            .priorities
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&priority)
        {
            return Ok(());
        }
        let created: redis::RedisResult<()> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(self.stream(priority))
            .arg(GROUP)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut self.redis.con())
            .await;
        match created {
            Ok(()) => {}
            Err(e) if e.to_string().contains("BUSYGROUP") => {}
            Err(e) => return Err(service_error(e)),
        }
        redis::cmd("SADD")
            .arg(self.redis.key("queue", "priorities"))
            .arg(priority)
            .query_async::<()>(&mut self.redis.con())
            .await
            .map_err(service_error)?;
        self.priorities
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(priority);
        Ok(())
    }

    fn remember(&self, priority: u8, entries: &[StreamId], out: &mut Vec<Task>) {
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        for entry in entries {
            match decode(entry) {
                Ok(task) => {
                    taken.insert(task.id, (priority, entry.id.clone()));
                    out.push(task);
                }
                Err(e) => tracing::error!("skipping a stream entry: {e}"),
            }
        }
    }

    fn location(&self, id: TaskId) -> Result<(u8, String), ServiceError> {
        self.taken
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id)
            .ok_or_else(|| ServiceError::InvalidInput(format!("task {} is not in flight", id.0)))
    }

    /// Claims entries whose worker went quiet for longer than the visibility timeout, or
    /// dead-letters them once they were delivered too often.
    async fn reclaim(&self, priority: u8, max: usize) -> Result<Vec<Task>, ServiceError> {
        let stream = self.stream(priority);
        let idle = self.config.visibility_timeout.as_millis() as u64;
        let pending: StreamPendingCountReply = redis::cmd("XPENDING")
            .arg(&stream)
            .arg(GROUP)
            .arg("IDLE")
            .arg(idle)
            .arg("-")
            .arg("+")
            .arg(max)
            .query_async(&mut self.redis.con())
            .await
            .map_err(service_error)?;
        let mut claim = Vec::new();
        for p in pending.ids {
            if p.times_delivered >= self.config.max_deliveries as usize {
                self.dead_letter_entry(priority, &p.id, "delivered too often: its workers died")
                    .await?;
            } else {
                claim.push(p.id);
            }
        }
        if claim.is_empty() {
            return Ok(Vec::new());
        }
        let claimed: redis::streams::StreamClaimReply = redis::cmd("XCLAIM")
            .arg(&stream)
            .arg(GROUP)
            .arg(&self.consumer)
            .arg(idle)
            .arg(&claim)
            .query_async(&mut self.redis.con())
            .await
            .map_err(service_error)?;
        if claimed.ids.len() < claim.len() {
            tracing::warn!(
                stream,
                "pending entries were deleted before being acked: something trimmed unacked work"
            );
        }
        let mut out = Vec::new();
        self.remember(priority, &claimed.ids, &mut out);
        for task in &out {
            tracing::warn!(task = task.id.0, url = %task.request.url, "claimed a task whose worker went quiet");
        }
        Ok(out)
    }

    async fn dead_letter_entry(
        &self,
        priority: u8,
        entry: &str,
        reason: &str,
    ) -> Result<(), ServiceError> {
        let stream = self.stream(priority);
        let found: StreamReadReply = redis::cmd("XREAD")
            .arg("COUNT")
            .arg(1)
            .arg("STREAMS")
            .arg(&stream)
            .arg(before(entry))
            .query_async::<Option<StreamReadReply>>(&mut self.redis.con())
            .await
            .map_err(service_error)?
            .unwrap_or_default();
        let task: Vec<u8> = found
            .keys
            .first()
            .and_then(|k| k.ids.first())
            .filter(|e| e.id == entry)
            .and_then(|e| e.get("task"))
            .unwrap_or_default();
        self.dead
            .key(&stream)
            .key(self.redis.key("queue", "dead"))
            .arg(GROUP)
            .arg(entry)
            .arg(task)
            .arg(reason)
            .invoke_async::<()>(&mut self.redis.con())
            .await
            .map_err(service_error)
    }

    async fn promote_due(&self, priorities: &[u8]) -> Result<(), ServiceError> {
        let now = now_ms();
        for &p in priorities {
            self.promote
                .key(self.delayed(p))
                .key(self.stream(p))
                .arg(now)
                .invoke_async::<()>(&mut self.redis.con())
                .await
                .map_err(service_error)?;
        }
        Ok(())
    }

    /// Reads new entries, highest priority first; blocks up to `block` when given.
    async fn read(
        &self,
        priorities: &[u8],
        max: usize,
        block: Option<Duration>,
    ) -> Result<Vec<Task>, ServiceError> {
        let mut out = Vec::new();
        let streams: Vec<String> = priorities.iter().map(|&p| self.stream(p)).collect();
        let mut cmd = redis::cmd("XREADGROUP");
        cmd.arg("GROUP").arg(GROUP).arg(&self.consumer);
        cmd.arg("COUNT").arg(max);
        if let Some(block) = block {
            cmd.arg("BLOCK").arg(block.as_millis().max(1) as u64);
        }
        cmd.arg("STREAMS").arg(&streams);
        for _ in &streams {
            cmd.arg(">");
        }
        let reply: Option<StreamReadReply> = if block.is_some() {
            cmd.query_async(&mut *self.blocking.lock().await).await
        } else {
            cmd.query_async(&mut self.redis.con()).await
        }
        .map_err(service_error)?;
        let Some(reply) = reply else {
            return Ok(out);
        };
        for key in &reply.keys {
            if let Some(p) = priorities.iter().find(|&&p| self.stream(p) == key.key) {
                self.remember(*p, &key.ids, &mut out);
            }
        }
        // A multi-stream read mixes priorities: serve the higher ones first.
        out.sort_by_key(|t| std::cmp::Reverse(t.request.priority));
        Ok(out)
    }
}

/// The task stream of a priority.
pub fn stream_key(redis: &RedisConn, priority: u8) -> String {
    redis.key("queue", &format!("p{priority}"))
}

/// The delayed retries of a priority.
pub fn delayed_key(redis: &RedisConn, priority: u8) -> String {
    redis.key("queue", &format!("delayed:p{priority}"))
}

/// The priorities any node has used.
pub async fn priorities(redis: &RedisConn) -> Result<Vec<u8>, ServiceError> {
    redis::cmd("SMEMBERS")
        .arg(redis.key("queue", "priorities"))
        .query_async(&mut redis.con())
        .await
        .map_err(service_error)
}

/// The frontier per priority (ready, in flight, delayed; no dead letters) and in total (with
/// the dead letters), read from the key layout alone in one pipeline: `status` asks without
/// joining the consumer group.
pub async fn depth_by_priority(
    redis: &RedisConn,
    priorities: &[u8],
) -> Result<(BTreeMap<u8, QueueDepth>, QueueDepth), ServiceError> {
    let mut pipe = redis::pipe();
    for &p in priorities {
        pipe.cmd("XLEN").arg(stream_key(redis, p));
        pipe.cmd("XPENDING").arg(stream_key(redis, p)).arg(GROUP);
        pipe.cmd("ZCARD").arg(delayed_key(redis, p));
    }
    pipe.cmd("XLEN").arg(redis.key("queue", "dead"));
    let values: Vec<redis::Value> = pipe
        .query_async(&mut redis.con())
        .await
        .map_err(service_error)?;
    let number = |v: &redis::Value| -> usize { redis::from_redis_value_ref(v).unwrap_or(0) };
    let mut per_priority = BTreeMap::new();
    let mut total = QueueDepth::default();
    for (i, chunk) in values.chunks(3).enumerate() {
        if let [len, pending, delayed] = chunk {
            // XPENDING's summary form starts with the number of pending entries.
            let in_flight = match pending {
                redis::Value::Array(summary) => summary.first().map_or(0, number),
                _ => 0,
            };
            let depth = QueueDepth {
                ready: number(len).saturating_sub(in_flight),
                in_flight,
                delayed: number(delayed),
                dead: 0,
            };
            total.ready += depth.ready;
            total.in_flight += depth.in_flight;
            total.delayed += depth.delayed;
            per_priority.insert(priorities[i], depth);
        } else if let [dead] = chunk {
            total.dead = number(dead);
        }
    }
    Ok((per_priority, total))
}

/// The stream id just before `id`, so that `XREAD … id` returns `id` itself.
fn before(id: &str) -> String {
    match id
        .split_once('-')
        .map(|(ms, seq)| (ms.parse::<u64>(), seq.parse::<u64>()))
    {
        Some((Ok(ms), Ok(seq))) if seq > 0 => format!("{ms}-{}", seq - 1),
        Some((Ok(ms), Ok(_))) if ms > 0 => format!("{}-{}", ms - 1, u64::MAX),
        _ => "0-0".to_owned(),
    }
}

#[async_trait]
impl Queue for RedisQueue {
    async fn push(&self, tasks: Vec<Task>) -> Result<(), ServiceError> {
        if tasks.is_empty() {
            return Ok(());
        }
        let last: u64 = redis::cmd("INCRBY")
            .arg(self.redis.key("queue", "next-id"))
            .arg(tasks.len())
            .query_async(&mut self.redis.con())
            .await
            .map_err(service_error)?;
        let first = last + 1 - tasks.len() as u64;
        let mut pipe = redis::pipe();
        for (i, mut task) in tasks.into_iter().enumerate() {
            task.id = TaskId(first + i as u64);
            self.ensure_priority(task.request.priority).await?;
            pipe.cmd("XADD")
                .arg(self.stream(task.request.priority))
                .arg("*")
                .arg("task")
                .arg(encode(&task)?)
                .ignore();
        }
        pipe.query_async::<()>(&mut self.redis.con())
            .await
            .map_err(service_error)
    }

    async fn pop(&self, max: usize, wait: Duration) -> Result<Vec<Task>, ServiceError> {
        let give_up = tokio::time::Instant::now() + wait;
        loop {
            let priorities = self.known_priorities().await?;
            self.promote_due(&priorities).await?;
            let mut out = Vec::new();
            for &p in &priorities {
                if out.len() < max {
                    out.extend(self.reclaim(p, max - out.len()).await?);
                }
            }
            for &p in &priorities {
                if out.len() < max {
                    out.extend(self.read(&[p], max - out.len(), None).await?);
                }
            }
            if !out.is_empty() {
                return Ok(out);
            }
            let left = give_up.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() || priorities.is_empty() {
                if priorities.is_empty() && !left.is_zero() {
                    tokio::time::sleep(left.min(BLOCK_SLICE)).await;
                    continue;
                }
                return Ok(out);
            }
            let got = self
                .read(&priorities, max, Some(left.min(BLOCK_SLICE)))
                .await?;
            if !got.is_empty() {
                return Ok(got);
            }
        }
    }

    async fn ack(&self, ids: &[TaskId]) -> Result<(), ServiceError> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut batch = self.ack.prepare_invoke();
        batch.arg(GROUP);
        for &id in ids {
            let (priority, entry) = self.location(id)?;
            batch.key(self.stream(priority)).arg(entry);
        }
        batch
            .invoke_async::<()>(&mut self.redis.con())
            .await
            .map_err(service_error)
    }

    async fn retry(&self, task: Task, delay: Duration) -> Result<(), ServiceError> {
        let (priority, entry) = self.location(task.id)?;
        let due = now_ms() + delay.as_millis() as u64;
        self.retry
            .key(self.stream(priority))
            .key(self.delayed(priority))
            .arg(GROUP)
            .arg(entry)
            .arg(due)
            .arg(encode(&task)?)
            .invoke_async::<()>(&mut self.redis.con())
            .await
            .map_err(service_error)
    }

    async fn dead_letter(&self, task: Task, reason: String) -> Result<(), ServiceError> {
        let (priority, entry) = self.location(task.id)?;
        self.dead
            .key(self.stream(priority))
            .key(self.redis.key("queue", "dead"))
            .arg(GROUP)
            .arg(entry)
            .arg(encode(&task)?)
            .arg(reason)
            .invoke_async::<()>(&mut self.redis.con())
            .await
            .map_err(service_error)
    }

    async fn dead_letters(&self) -> Result<Vec<DeadLetter>, ServiceError> {
        let entries: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
            .arg(self.redis.key("queue", "dead"))
            .arg("-")
            .arg("+")
            .query_async(&mut self.redis.con())
            .await
            .map_err(service_error)?;
        entries
            .ids
            .iter()
            .map(|e| {
                Ok(DeadLetter {
                    task: decode(e)?,
                    reason: e.get("reason").unwrap_or_default(),
                })
            })
            .collect()
    }

    async fn depth(&self) -> Result<QueueDepth, ServiceError> {
        let priorities = self.known_priorities().await?;
        Ok(depth_by_priority(&self.redis, &priorities).await?.1)
    }

    async fn publish(&self, topic: &str, payload: Vec<u8>) -> Result<(), ServiceError> {
        redis::cmd("RPUSH")
            .arg(self.redis.key("topic", topic))
            .arg(payload)
            .query_async::<()>(&mut self.redis.con())
            .await
            .map_err(service_error)
    }

    async fn consume(&self, topic: &str, max: usize) -> Result<Vec<Vec<u8>>, ServiceError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let got: Option<Vec<Vec<u8>>> = redis::cmd("LPOP")
            .arg(self.redis.key("topic", topic))
            .arg(max)
            .query_async(&mut self.redis.con())
            .await
            .map_err(service_error)?;
        Ok(got.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::queue::behaviour;
    use crate::services::redis::harness::RedisServer;

    crate::queue_behaviour_tests!(async {
        let server = RedisServer::start().await;
        let queue = RedisQueue::new(
            server.conn().await,
            server.conn().await,
            "node-a".into(),
            behaviour::config(),
        )
        .await
        .unwrap();
        (server, queue)
    });

    #[test]
    fn the_id_before_an_entry() {
        assert_eq!(before("5-3"), "5-2");
        assert_eq!(before("5-0"), format!("4-{}", u64::MAX));
        assert_eq!(before("0-0"), "0-0");
    }
}
