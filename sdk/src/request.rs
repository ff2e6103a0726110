use serde::Serialize;

use crate::Error;
use crate::bindings::mocra::spider::types::Request as WitRequest;

/// A request for the host to make, built step by step: `Request::get(url).step("detail")`.
#[derive(Debug, Clone)]
pub struct Request(pub(crate) WitRequest);

impl Request {
    pub fn new(method: &str, url: impl Into<String>) -> Self {
        Self(WitRequest {
            url: url.into(),
            method: method.to_ascii_uppercase(),
            headers: Vec::new(),
            body: None,
            meta: Vec::new(),
            step: String::new(),
            priority: 0,
            dont_filter: false,
            timeout_ms: None,
        })
    }

    pub fn get(url: impl Into<String>) -> Self {
        Self::new("GET", url)
    }

    pub fn post(url: impl Into<String>, body: impl Into<Vec<u8>>) -> Self {
        let mut r = Self::new("POST", url);
        r.0.body = Some(body.into());
        r
    }

    /// The step of the spider that parses the response (`""` is the default step).
    pub fn step(mut self, step: impl Into<String>) -> Self {
        self.0.step = step.into();
        self
    }

    /// Data carried to the response, read back with [`Page::meta`](crate::Page::meta).
    pub fn meta<T: Serialize>(mut self, meta: &T) -> Result<Self, Error> {
        self.0.meta = rmp_serde::to_vec_named(meta)?;
        Ok(self)
    }

    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.headers.push((name.into(), value.into()));
        self
    }

    /// Higher runs first; 0 is normal.
    pub fn priority(mut self, priority: u8) -> Self {
        self.0.priority = priority;
        self
    }

    /// Fetch it even when the same request was seen before.
    pub fn dont_filter(mut self) -> Self {
        self.0.dont_filter = true;
        self
    }

    pub fn timeout_ms(mut self, ms: u32) -> Self {
        self.0.timeout_ms = Some(ms);
        self
    }

    pub fn url(&self) -> &str {
        &self.0.url
    }
}

impl From<Request> for WitRequest {
    fn from(r: Request) -> Self {
        r.0
    }
}
