//! Which politeness rule a request falls under, and on which key.

use std::time::Duration;

use crate::services::rate::Rule;
use crate::types::{Politeness, SpiderName};

/// The rule of a spider's hint, or the node's default.
pub fn rule(hint: Option<&Politeness>, default: Rule) -> Rule {
    hint.map_or(default, |p| Rule {
        concurrency: p.concurrency,
        delay: Duration::from_millis(p.delay_ms.into()),
    })
}

/// Politeness is kept per spider and host.
pub fn key(spider: &SpiderName, url: &str) -> String {
    format!("{spider}/{}", host_of(url))
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

    #[test]
    fn spider_hints_override_the_default() {
        let default = Rule {
            concurrency: 16,
            delay: Duration::ZERO,
        };
        assert_eq!(rule(None, default), default);
        let hint = Politeness {
            concurrency: 2,
            delay_ms: 500,
        };
        let expected = Rule {
            concurrency: 2,
            delay: Duration::from_millis(500),
        };
        assert_eq!(rule(Some(&hint), default), expected);
        let books = SpiderName::parse("books").unwrap();
        assert_eq!(key(&books, "http://a.com:81/x"), "books/a.com");
    }
}
