//! Shared state: one versioned value per topic. Versions only grow, so a reader that missed
//! an update still sees the newest value on its next read.

pub mod memory;
pub mod redis;

use async_trait::async_trait;

use super::ServiceError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Versioned {
    pub version: u64,
    pub value: Vec<u8>,
}

#[async_trait]
pub trait SharedState: Send + Sync {
    async fn get(&self, topic: &str) -> Result<Option<Versioned>, ServiceError>;
    /// Stores a new value and returns its version: the previous one plus one.
    async fn publish(&self, topic: &str, value: Vec<u8>) -> Result<u64, ServiceError>;
}

#[cfg(test)]
pub(crate) mod behaviour {
    use super::*;

    pub async fn versions_grow(s: &dyn SharedState) {
        assert_eq!(s.get("t").await.unwrap(), None);
        assert_eq!(s.publish("t", b"a".to_vec()).await.unwrap(), 1);
        assert_eq!(s.publish("t", b"b".to_vec()).await.unwrap(), 2);
        assert_eq!(s.publish("other", b"x".to_vec()).await.unwrap(), 1);
        let got = s.get("t").await.unwrap().unwrap();
        assert_eq!(
            got,
            Versioned {
                version: 2,
                value: b"b".to_vec()
            }
        );
    }
}
