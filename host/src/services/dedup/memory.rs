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
        super::super::behaviour::answers_new_then_seen(&MemoryDedup::default()).await;
    }
}
