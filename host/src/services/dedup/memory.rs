//! In-process duplicate filter: a set of fingerprints.

use std::collections::HashSet;
use std::sync::Mutex;

use async_trait::async_trait;

use super::Dedup;
use crate::services::ServiceError;
use crate::types::Fingerprint;

#[derive(Default)]
pub struct MemoryDedup {
    seen: Mutex<HashSet<u64>>,
}

#[async_trait]
impl Dedup for MemoryDedup {
    async fn insert_many(&self, fingerprints: &[Fingerprint]) -> Result<Vec<bool>, ServiceError> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        Ok(fingerprints.iter().map(|f| seen.insert(f.0)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_new_then_seen() {
        let d = MemoryDedup::default();
        let got = d
            .insert_many(&[Fingerprint(1), Fingerprint(2), Fingerprint(1)])
            .await
            .unwrap();
        assert_eq!(got, [true, true, false]);
        assert_eq!(d.insert_many(&[Fingerprint(2)]).await.unwrap(), [false]);
    }
}
