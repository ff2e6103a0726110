//! Domain types shared by the engine, the services and the runtime.

use std::fmt;

use serde::{Deserialize, Serialize};

pub use crate::runtime::bindings::mocra::spider::types::{
    Item, Output, Politeness, Request, Response, SpiderInfo,
};

/// A spider's name: lower-case ASCII letters, digits, `-` and `_`, so it is safe in file
/// names and storage keys.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SpiderName(String);

impl SpiderName {
    /// Checks the name a plugin reported; the error says what is wrong with it.
    pub fn parse(name: &str) -> Result<Self, String> {
        if name.is_empty() || name.len() > 64 {
            return Err(format!("spider name {name:?} must be 1 to 64 characters"));
        }
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_'))
        {
            return Err(format!(
                "spider name {name:?} has {bad:?}: use lower-case letters, digits, '-' and '_'"
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SpiderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One run of a spider. Duplicates are filtered per run, so a new run fetches again what an
/// earlier one fetched.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RunId(pub String);

impl RunId {
    /// A fresh run id.
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string()[..12].to_owned())
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Identifies one task in the frontier, unique within a queue backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TaskId(pub u64);

/// A 64-bit fingerprint of a request, what the duplicate filter remembers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fingerprint(pub u64);

/// A request on its way through the frontier: what to fetch, for which spider, and how often
/// it was tried already.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Task {
    pub id: TaskId,
    pub spider: SpiderName,
    pub run: RunId,
    pub request: Request,
    /// Failed attempts so far; 0 on the first try.
    pub attempt: u32,
}

/// A plain GET of `url` in the spider's default step: how start urls enter the frontier.
pub fn get_request(url: impl Into<String>) -> Request {
    Request {
        url: url.into(),
        method: "GET".to_owned(),
        headers: Vec::new(),
        body: None,
        meta: Vec::new(),
        step: String::new(),
        priority: 0,
        dont_filter: false,
        timeout_ms: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spider_names_are_checked() {
        assert_eq!(
            SpiderName::parse("books-2_x").unwrap().as_str(),
            "books-2_x"
        );
        assert!(SpiderName::parse("").is_err());
        let err = SpiderName::parse("Books").unwrap_err();
        assert!(err.contains("'B'"), "{err}");
        assert!(SpiderName::parse("a/b").is_err());
    }
}
