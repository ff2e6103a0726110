//! Which hosts a spider may reach.

use super::DownloadError;

/// Domains a spider may reach, each with its subdomains; empty allows every host.
#[derive(Clone, Debug, Default)]
pub struct AllowList {
    domains: Vec<String>,
}

impl AllowList {
    pub fn new(domains: &[String]) -> Self {
        Self {
            domains: domains
                .iter()
                .map(|d| d.trim().trim_start_matches('.').to_ascii_lowercase())
                .filter(|d| !d.is_empty())
                .collect(),
        }
    }

    pub fn allows_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.domains.is_empty()
            || self.domains.iter().any(|d| {
                host == *d
                    || host
                        .strip_suffix(d.as_str())
                        .is_some_and(|rest| rest.ends_with('.'))
            })
    }

    pub(super) fn check(&self, url: &reqwest::Url) -> Result<(), DownloadError> {
        let host = url.host_str().unwrap_or_default();
        if self.allows_host(host) {
            Ok(())
        } else {
            Err(DownloadError::NotAllowed(format!(
                "{url}: host {host:?} is not in the spider's allowed domains {:?}",
                self.domains
            )))
        }
    }

    /// Checks a URL string; the error says why it may not be requested.
    pub fn check_url(&self, raw: &str) -> Result<(), String> {
        let url =
            reqwest::Url::parse(raw).map_err(|e| format!("{raw:?} is not a valid URL: {e}"))?;
        self.check(&url).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_cover_their_subdomains_only() {
        let allow = AllowList::new(&["Example.com".into(), ".books.io".into()]);
        assert!(allow.allows_host("example.com"));
        assert!(allow.allows_host("www.EXAMPLE.com"));
        assert!(allow.allows_host("books.io"));
        assert!(!allow.allows_host("notexample.com"));
        assert!(!allow.allows_host("example.com.evil.net"));
        assert!(AllowList::new(&[]).allows_host("anything.net"));
        let err = allow.check_url("http://evil.net/x").unwrap_err();
        assert!(err.contains("evil.net"), "{err}");
    }
}
