//! Leader election on top of the locks: every node campaigns for a role; the one holding
//! its lease leads, renews the lease at a third of its TTL, and steps down the moment a
//! renewal fails. A leader that dies stops renewing, and another node takes over once the
//! lease runs out. The fencing token of the term lets a resource refuse a deposed leader.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinHandle;

use super::{Lease, Locks};

pub struct Leadership {
    term: Arc<Mutex<Option<Lease>>>,
    campaign: JoinHandle<()>,
}

impl Leadership {
    /// Starts campaigning for `role` with leases of `ttl`.
    pub fn campaign(locks: Arc<dyn Locks>, role: String, ttl: Duration) -> Self {
        let term = Arc::new(Mutex::new(None));
        let shared = term.clone();
        let campaign = tokio::spawn(async move {
            let mut tick = tokio::time::interval(ttl / 3);
            loop {
                tick.tick().await;
                let held = shared.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let next = match held {
                    Some(lease) => match locks.renew(&lease, ttl).await {
                        Ok(true) => Some(lease),
                        Ok(false) => {
                            tracing::warn!(role, "lost the leadership");
                            None
                        }
                        Err(e) => {
                            tracing::warn!(role, "cannot renew the leadership, stepping down: {e}");
                            None
                        }
                    },
                    None => match locks.acquire(&role, ttl).await {
                        Ok(Some(lease)) => {
                            tracing::info!(role, token = lease.token, "leading");
                            Some(lease)
                        }
                        Ok(None) => None,
                        Err(e) => {
                            tracing::warn!(role, "cannot campaign for the leadership: {e}");
                            None
                        }
                    },
                };
                *shared.lock().unwrap_or_else(|e| e.into_inner()) = next;
            }
        });
        Self { term, campaign }
    }

    /// The fencing token of this node's current term, if it leads.
    pub fn term(&self) -> Option<u64> {
        self.term
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|l| l.token)
    }
}

impl Drop for Leadership {
    /// Stops campaigning; a lease still held runs out on its own.
    fn drop(&mut self) {
        self.campaign.abort();
    }
}

#[cfg(test)]
pub(crate) mod behaviour {
    use std::time::Instant;

    use super::*;

    async fn until(limit: Duration, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + limit;
        while !done() {
            assert!(Instant::now() < deadline, "not within {limit:?}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub async fn one_leader_and_a_successor(locks: Arc<dyn Locks>) {
        // Generous, so a loaded machine's late renewal does not pass for a dead leader.
        let ttl = Duration::from_secs(1);
        let a = Leadership::campaign(locks.clone(), "cron".into(), ttl);
        until(Duration::from_secs(2), || a.term().is_some()).await;
        let b = Leadership::campaign(locks.clone(), "cron".into(), ttl);
        // Several renewals later, still one leader.
        tokio::time::sleep(ttl * 2).await;
        assert!(a.term().is_some() && b.term().is_none());
        let first = a.term().unwrap();
        drop(a);
        until(Duration::from_secs(5), || b.term().is_some()).await;
        assert!(
            b.term().unwrap() > first,
            "a new term has a larger fencing token"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::lock::memory::MemoryLocks;
    use crate::services::lock::redis::RedisLocks;
    use crate::services::redis::harness::RedisServer;

    #[tokio::test]
    async fn one_leader_and_a_successor_in_memory() {
        behaviour::one_leader_and_a_successor(Arc::new(MemoryLocks::default())).await;
    }

    #[tokio::test]
    async fn one_leader_and_a_successor_on_redis() {
        let server = RedisServer::start().await;
        let locks = Arc::new(RedisLocks::new(server.conn().await));
        behaviour::one_leader_and_a_successor(locks).await;
    }
}
