//! When to try a download again, and how long to wait.

use std::time::Duration;

use rand::Rng;

/// Exponential backoff with jitter: the n-th retry waits about `base * 2^(n-1)`, scaled by a
/// random factor in [0.5, 1.5) so that many failing tasks do not retry in lockstep.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base: Duration,
    pub max: Duration,
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1 for the first retry).
    pub fn delay(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(30);
        let nominal = self.base.saturating_mul(1 << exponent).min(self.max);
        nominal.mul_f64(rand::rng().random_range(0.5..1.5))
    }
}

/// Statuses worth retrying, as Scrapy's defaults: timeouts, rate limiting, server errors
/// and gateway failures. A 404 or any other 4xx is final.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504 | 522 | 524)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_within_jitter_and_cap() {
        let policy = RetryPolicy {
            max_retries: 5,
            base: Duration::from_millis(100),
            max: Duration::from_millis(350),
        };
        for _ in 0..100 {
            let first = policy.delay(1);
            assert!(first >= Duration::from_millis(50) && first < Duration::from_millis(150));
            let second = policy.delay(2);
            assert!(second >= Duration::from_millis(100) && second < Duration::from_millis(300));
            let capped = policy.delay(10);
            assert!(capped >= Duration::from_millis(175) && capped < Duration::from_millis(525));
        }
    }

    #[test]
    fn only_transient_statuses_are_retried() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(retryable_status(s), "{s}");
        }
        for s in [200, 301, 400, 403, 404, 410, 501] {
            assert!(!retryable_status(s), "{s}");
        }
    }
}
