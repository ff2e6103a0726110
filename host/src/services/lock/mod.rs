//! Leases with a time to live and fencing tokens.
//!
//! A holder that stalls past its TTL loses the lock without knowing it; the fencing token,
//! which grows with every acquisition of a name, lets the resource it guards refuse the
//! stale holder's late writes.

pub mod leader;
pub mod memory;
pub mod redis;

use std::time::Duration;

use async_trait::async_trait;

use super::ServiceError;

/// A granted lease: the name and its fencing token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub name: String,
    pub token: u64,
}

#[async_trait]
pub trait Locks: Send + Sync {
    /// None when someone else holds a live lease on `name`.
    async fn acquire(&self, name: &str, ttl: Duration) -> Result<Option<Lease>, ServiceError>;
    /// Extends a lease still held; false when it was lost.
    async fn renew(&self, lease: &Lease, ttl: Duration) -> Result<bool, ServiceError>;
    /// Ends a lease still held; false when it was lost already.
    async fn release(&self, lease: &Lease) -> Result<bool, ServiceError>;
}

#[cfg(test)]
pub(crate) mod behaviour {
    use super::*;

    const LONG: Duration = Duration::from_secs(30);

    pub async fn exclusive_with_growing_tokens(l: &dyn Locks) {
        let first = l.acquire("a", LONG).await.unwrap().unwrap();
        assert_eq!(l.acquire("a", LONG).await.unwrap(), None);
        let other = l.acquire("b", LONG).await.unwrap().unwrap();
        assert!(l.renew(&first, LONG).await.unwrap());
        assert!(l.release(&first).await.unwrap());
        assert!(!l.release(&first).await.unwrap());
        let second = l.acquire("a", LONG).await.unwrap().unwrap();
        assert!(second.token > first.token);
        assert!(
            !l.renew(&first, LONG).await.unwrap(),
            "a stale lease renews nothing"
        );
        assert!(l.release(&other).await.unwrap());
    }

    pub async fn expired_lease_is_lost(l: &dyn Locks) {
        let stale = l
            .acquire("e", Duration::from_millis(40))
            .await
            .unwrap()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let fresh = l.acquire("e", LONG).await.unwrap().unwrap();
        assert!(fresh.token > stale.token);
        assert!(!l.renew(&stale, LONG).await.unwrap());
        assert!(!l.release(&stale).await.unwrap());
        assert!(l.release(&fresh).await.unwrap());
    }
}
