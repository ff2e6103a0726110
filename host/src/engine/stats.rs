//! Crawl counters: cheap atomics on the hot path, a snapshot for progress and the summary.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use serde::Serialize;

pub struct Stats {
    started: Instant,
    pages: AtomicU64,
    items: AtomicU64,
    retries: AtomicU64,
    duplicates: AtomicU64,
    dead_letters: AtomicU64,
    errors: Mutex<BTreeMap<String, u64>>,
}

/// What the crawl did, as printed at the end and written by `--stats-json`.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub spider: String,
    /// Responses parsed successfully.
    pub pages: u64,
    pub items: u64,
    /// Re-attempts scheduled.
    pub retries: u64,
    /// Requests dropped by the duplicate filter.
    pub duplicates: u64,
    pub dead_letters: u64,
    pub errors: BTreeMap<String, u64>,
    pub elapsed_secs: f64,
    pub pages_per_sec: f64,
}

impl Default for Stats {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            pages: AtomicU64::new(0),
            items: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            dead_letters: AtomicU64::new(0),
            errors: Mutex::new(BTreeMap::new()),
        }
    }
}

impl Stats {
    pub fn page(&self, items: u64) {
        self.pages.fetch_add(1, Ordering::Relaxed);
        self.items.fetch_add(items, Ordering::Relaxed);
    }

    pub fn retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub fn duplicates(&self, n: u64) {
        self.duplicates.fetch_add(n, Ordering::Relaxed);
    }

    pub fn dead_letter(&self) {
        self.dead_letters.fetch_add(1, Ordering::Relaxed);
    }

    pub fn error(&self, kind: &str) {
        let mut errors = self.errors.lock().unwrap_or_else(|e| e.into_inner());
        *errors.entry(kind.to_owned()).or_default() += 1;
    }

    pub fn summary(&self, spider: &str) -> Summary {
        let elapsed = self.started.elapsed().as_secs_f64();
        let pages = self.pages.load(Ordering::Relaxed);
        Summary {
            spider: spider.to_owned(),
            pages,
            items: self.items.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            duplicates: self.duplicates.load(Ordering::Relaxed),
            dead_letters: self.dead_letters.load(Ordering::Relaxed),
            errors: self
                .errors
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            elapsed_secs: elapsed,
            pages_per_sec: if elapsed > 0.0 {
                pages as f64 / elapsed
            } else {
                0.0
            },
        }
    }
}

impl Summary {
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "crawl of {} finished in {:.2}s",
            self.spider, self.elapsed_secs
        )?;
        writeln!(
            f,
            "  pages {}  ({:.1} pages/s)\n  items {}\n  retries {}\n  duplicates dropped {}\n  dead letters {}",
            self.pages,
            self.pages_per_sec,
            self.items,
            self.retries,
            self.duplicates,
            self.dead_letters
        )?;
        write!(f, "  errors {}", self.error_count())?;
        for (kind, n) in &self.errors {
            write!(f, "\n    {kind}: {n}")?;
        }
        Ok(())
    }
}
