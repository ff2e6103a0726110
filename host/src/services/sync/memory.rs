//! In-process shared state.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::{SharedState, Versioned};
use crate::services::ServiceError;

#[derive(Default)]
pub struct MemorySharedState {
    topics: Mutex<HashMap<String, Versioned>>,
}

#[async_trait]
impl SharedState for MemorySharedState {
    async fn get(&self, topic: &str) -> Result<Option<Versioned>, ServiceError> {
        let topics = self.topics.lock().unwrap_or_else(|e| e.into_inner());
        Ok(topics.get(topic).cloned())
    }

    async fn publish(&self, topic: &str, value: Vec<u8>) -> Result<u64, ServiceError> {
        let mut topics = self.topics.lock().unwrap_or_else(|e| e.into_inner());
        let entry = topics.entry(topic.to_owned()).or_insert(Versioned {
            version: 0,
            value: Vec::new(),
        });
        entry.version += 1;
        entry.value = value;
        Ok(entry.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn versions_grow() {
        super::super::behaviour::versions_grow(&MemorySharedState::default()).await;
    }
}
