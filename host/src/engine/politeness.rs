//! Per-domain politeness: at most N requests in flight on a host, and a minimum gap between
//! two request starts, per spider.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::types::{Politeness, SpiderName};

pub struct PolitenessGate {
    default: Politeness,
    /// Per spider, per host. Two levels so the lookup on the hot path allocates nothing.
    slots: Mutex<HashMap<SpiderName, HashMap<String, Arc<Slot>>>>,
}

struct Slot {
    permits: Arc<Semaphore>,
    delay: Duration,
    next_start: Mutex<Instant>,
}

impl PolitenessGate {
    pub fn new(default: Politeness) -> Self {
        Self {
            default,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a free slot on the host, then for the host's delay; hold the permit while
    /// the request is in flight.
    pub async fn enter(
        &self,
        spider: &SpiderName,
        host: &str,
        hint: Option<&Politeness>,
    ) -> OwnedSemaphorePermit {
        let slot = self.slot(spider, host, hint);
        let permit = slot
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("politeness semaphores are never closed");
        if !slot.delay.is_zero() {
            let start = {
                let mut next = slot.next_start.lock().unwrap_or_else(|e| e.into_inner());
                let start = (*next).max(Instant::now());
                *next = start + slot.delay;
                start
            };
            tokio::time::sleep_until(start).await;
        }
        permit
    }

    fn slot(&self, spider: &SpiderName, host: &str, hint: Option<&Politeness>) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = slots.get(spider).and_then(|hosts| hosts.get(host)) {
            return slot.clone();
        }
        let p = hint.unwrap_or(&self.default);
        let slot = Arc::new(Slot {
            permits: Arc::new(Semaphore::new(p.concurrency.max(1) as usize)),
            delay: Duration::from_millis(p.delay_ms.into()),
            next_start: Mutex::new(Instant::now()),
        });
        slots
            .entry(spider.clone())
            .or_default()
            .insert(host.to_owned(), slot.clone());
        slot
    }
}

/// The host part of a URL, without parsing the whole URL: the politeness key is looked up
/// for every request. Userinfo and port are dropped; an unparsable URL yields "" (its
/// download fails on its own).
pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or("", |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    host.split(':').next().unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_cut_out_of_urls() {
        assert_eq!(host_of("http://example.com/a?b"), "example.com");
        assert_eq!(host_of("https://user:pw@Example.com:8080#x"), "Example.com");
        assert_eq!(host_of("http://127.0.0.1:8000?n=1"), "127.0.0.1");
        assert_eq!(host_of("http://[::1]:80/"), "[::1]");
        assert_eq!(host_of("not a url"), "");
    }

    #[tokio::test]
    async fn limits_concurrency_and_spaces_starts() {
        let gate = PolitenessGate::new(Politeness {
            concurrency: 1,
            delay_ms: 0,
        });
        let s = SpiderName::parse("s").unwrap();
        let first = gate.enter(&s, "a", None).await;
        let blocked =
            tokio::time::timeout(Duration::from_millis(50), gate.enter(&s, "a", None)).await;
        assert!(blocked.is_err(), "a second request on the same host waits");
        let other_host =
            tokio::time::timeout(Duration::from_millis(50), gate.enter(&s, "b", None)).await;
        assert!(other_host.is_ok(), "another host is not held up");
        drop(first);

        let spaced = Politeness {
            concurrency: 4,
            delay_ms: 60,
        };
        let started = Instant::now();
        for _ in 0..3 {
            drop(gate.enter(&s, "c", Some(&spaced)).await);
        }
        assert!(started.elapsed() >= Duration::from_millis(120));
    }
}
