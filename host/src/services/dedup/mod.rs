//! The duplicate filter: remembers request fingerprints.

pub mod memory;
pub mod redis;

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use super::ServiceError;
use crate::types::{Fingerprint, Request};

#[async_trait]
pub trait Dedup: Send + Sync {
    /// Remembers each fingerprint and answers, in order, whether it was new.
    async fn insert_many(&self, fingerprints: &[Fingerprint]) -> Result<Vec<bool>, ServiceError>;
}

/// The fingerprint of a request: method, canonical URL and body, scoped by `scope` (the
/// spider), so two spiders never filter each other's requests.
///
/// The URL is canonicalised the way Scrapy does it: the fragment is dropped and query
/// arguments are sorted, so `?b=2&a=1#top` and `?a=1&b=2` are one page. SHA-256 rather than a
/// std hasher, because every node of a cluster must compute the same value.
pub fn fingerprint(scope: &str, request: &Request) -> Fingerprint {
    let mut hasher = Sha256::new();
    hasher.update(scope.as_bytes());
    hasher.update([0]);
    hasher.update(request.method.to_ascii_uppercase().as_bytes());
    hasher.update([0]);
    hasher.update(canonical_url(&request.url).as_bytes());
    hasher.update([0]);
    hasher.update(request.body.as_deref().unwrap_or_default());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    Fingerprint(u64::from_le_bytes(first))
}

fn canonical_url(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw) else {
        return raw.to_owned();
    };
    url.set_fragment(None);
    if url.query().is_some() {
        let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        pairs.sort();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.into()
}

#[cfg(test)]
pub(crate) mod behaviour {
    use super::*;

    pub async fn answers_new_then_seen(d: &dyn Dedup) {
        let got = d
            .insert_many(&[Fingerprint(1), Fingerprint(2), Fingerprint(1)])
            .await
            .unwrap();
        assert_eq!(got, [true, true, false]);
        assert_eq!(d.insert_many(&[Fingerprint(2)]).await.unwrap(), [false]);
        assert!(d.insert_many(&[]).await.unwrap().is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::get_request;

    #[test]
    fn canonical_urls_share_a_fingerprint() {
        let a = fingerprint("s", &get_request("http://h/p?b=2&a=1#top"));
        let b = fingerprint("s", &get_request("http://h/p?a=1&b=2"));
        assert_eq!(a, b);
        assert_ne!(a, fingerprint("s", &get_request("http://h/p?a=1&b=3")));
        assert_ne!(a, fingerprint("other", &get_request("http://h/p?a=1&b=2")));
        let mut post = get_request("http://h/p?a=1&b=2");
        post.method = "POST".into();
        assert_ne!(a, fingerprint("s", &post));
        post.body = Some(b"x".to_vec());
        let mut post2 = post.clone();
        post2.body = Some(b"y".to_vec());
        assert_ne!(fingerprint("s", &post), fingerprint("s", &post2));
    }
}
