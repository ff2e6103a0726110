use crate::bindings::mocra::spider::types as wit;
use crate::{Error, Output, Page, Request};

pub use wit::Politeness;

/// A spider: who it is, where it starts, and how it reads a page.
pub trait Spider: Default + 'static {
    fn info(&self) -> SpiderInfo;

    /// Requests to start from besides the start urls (logins, API seeds).
    fn start(&self) -> Result<Vec<Request>, Error> {
        Ok(Vec::new())
    }

    /// Reads one page; `page.step()` says which step of a multi-page flow it belongs to.
    fn parse(&self, page: &Page, out: &mut Output) -> Result<(), Error>;
}

/// A spider's name, version, reach and manners.
#[derive(Debug, Clone)]
pub struct SpiderInfo {
    pub name: String,
    pub version: String,
    /// Domains (with their subdomains) the spider may reach; empty allows every host.
    pub allowed_domains: Vec<String>,
    pub start_urls: Vec<String>,
    /// Cron expressions, seconds first, that start a new run.
    pub schedules: Vec<String>,
    pub politeness: Option<Politeness>,
}

impl SpiderInfo {
    /// A spider named `name` (lower-case letters, digits, `-`, `_`), version 0.1.0.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: "0.1.0".into(),
            allowed_domains: Vec::new(),
            start_urls: Vec::new(),
            schedules: Vec::new(),
            politeness: None,
        }
    }

    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    pub fn start_url(mut self, url: impl Into<String>) -> Self {
        self.start_urls.push(url.into());
        self
    }

    pub fn allowed_domain(mut self, domain: impl Into<String>) -> Self {
        self.allowed_domains.push(domain.into());
        self
    }

    pub fn schedule(mut self, cron: impl Into<String>) -> Self {
        self.schedules.push(cron.into());
        self
    }

    /// At most `concurrency` requests in flight per domain, `delay_ms` between two starts.
    pub fn politeness(mut self, concurrency: u32, delay_ms: u32) -> Self {
        self.politeness = Some(Politeness {
            concurrency,
            delay_ms,
        });
        self
    }
}

pub fn info<S: Spider>(spider: &S) -> wit::SpiderInfo {
    let i = spider.info();
    wit::SpiderInfo {
        name: i.name,
        version: i.version,
        allowed_domains: i.allowed_domains,
        start_urls: i.start_urls,
        schedules: i.schedules,
        politeness: i.politeness,
    }
}

pub fn start<S: Spider>(spider: &S) -> Result<Vec<wit::Request>, wit::Error> {
    Ok(spider.start()?.into_iter().map(Into::into).collect())
}

pub fn parse<S: Spider>(spider: &S, response: wit::Response) -> Result<wit::Output, wit::Error> {
    let page = Page::new(response);
    let mut out = Output::new(page.url());
    spider.parse(&page, &mut out)?;
    Ok(out.into_wit())
}
