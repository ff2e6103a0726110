//! Fetching: one shared HTTP client, redirects followed by hand so the allow-list is checked
//! on every hop, a deadline on the whole exchange, and a cap on the body size.

mod allow;
mod retry;

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, LOCATION};
use reqwest::{Client, Method, StatusCode};

pub use allow::AllowList;
pub use retry::{RetryPolicy, retryable_status};

use crate::types::{Request, Response};

#[derive(Clone, Debug)]
pub struct DownloadConfig {
    pub timeout: Duration,
    pub max_body_bytes: u64,
    pub max_redirects: u32,
    pub user_agent: String,
    /// Idle connections kept per host; at least the number of requests in flight.
    pub pool_per_host: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("{0}")]
    NotAllowed(String),
    #[error("{0}")]
    InvalidRequest(String),
    #[error("{url}: no complete response within {after:?}")]
    Timeout { url: String, after: Duration },
    #[error("{url}: {message}")]
    Connection { url: String, message: String },
    #[error("{url}: body larger than {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: more than {limit} redirects")]
    RedirectLoop { url: String, limit: u32 },
}

impl DownloadError {
    /// The stats key of this failure.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotAllowed(_) => "offsite",
            Self::InvalidRequest(_) => "invalid-request",
            Self::Timeout { .. } => "timeout",
            Self::Connection { .. } => "connection",
            Self::TooLarge { .. } => "too-large",
            Self::RedirectLoop { .. } => "redirect-loop",
        }
    }

    /// Whether trying again later may succeed.
    pub fn retryable(&self) -> bool {
        matches!(self, Self::Timeout { .. } | Self::Connection { .. })
    }
}

pub struct Downloader {
    client: Client,
    config: DownloadConfig,
    retry: RetryPolicy,
}

impl Downloader {
    pub fn new(config: DownloadConfig, retry: RetryPolicy) -> Result<Self, reqwest::Error> {
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(config.user_agent.clone())
            .pool_max_idle_per_host(config.pool_per_host)
            .tcp_nodelay(true)
            .build()?;
        Ok(Self {
            client,
            config,
            retry,
        })
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// One attempt: follows redirects, returns whatever status the last hop answered.
    pub async fn fetch(&self, req: Request, allow: &AllowList) -> Result<Response, DownloadError> {
        let timeout = req
            .timeout_ms
            .map_or(self.config.timeout, |ms| Duration::from_millis(ms.into()));
        let url = req.url.clone();
        let started = Instant::now();
        match tokio::time::timeout(timeout, self.follow(req, allow)).await {
            Ok(Ok(mut response)) => {
                response.elapsed_ms = started.elapsed().as_millis().try_into().unwrap_or(u32::MAX);
                Ok(response)
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(DownloadError::Timeout {
                url,
                after: timeout,
            }),
        }
    }

    /// Like [`fetch`](Self::fetch), retrying timeouts, connection errors and retryable
    /// statuses with backoff: for a plugin's own calls, which do not go through the frontier.
    pub async fn fetch_with_retries(
        &self,
        req: Request,
        allow: &AllowList,
    ) -> Result<Response, DownloadError> {
        let mut attempt = 0;
        loop {
            let result = self.fetch(req.clone(), allow).await;
            let again = match &result {
                Ok(r) => retryable_status(r.status),
                Err(e) => e.retryable(),
            };
            if !again || attempt >= self.retry.max_retries {
                return result;
            }
            attempt += 1;
            tokio::time::sleep(self.retry.delay(attempt)).await;
        }
    }

    async fn follow(&self, request: Request, allow: &AllowList) -> Result<Response, DownloadError> {
        let mut url = parse_url(&request.url)?;
        let mut method = parse_method(&request.method)?;
        let headers = parse_headers(&request.headers)?;
        let mut body = request.body.clone();
        for _ in 0..=self.config.max_redirects {
            allow.check(&url)?;
            let mut builder = self
                .client
                .request(method.clone(), url.clone())
                .headers(headers.clone());
            if let Some(body) = &body {
                builder = builder.body(body.clone());
            }
            let response = builder.send().await.map_err(|e| connection(&url, &e))?;
            let status = response.status();
            if status.is_redirection()
                && let Some(next) = redirect_target(&url, response.headers())
            {
                // 303, and 301/302 after a POST, turn into a GET without a body, as browsers do.
                if status == StatusCode::SEE_OTHER
                    || (method == Method::POST
                        && matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND))
                {
                    method = Method::GET;
                    body = None;
                }
                url = next;
                continue;
            }
            return self.read(response, request).await;
        }
        Err(DownloadError::RedirectLoop {
            url: request.url,
            limit: self.config.max_redirects,
        })
    }

    async fn read(
        &self,
        mut response: reqwest::Response,
        request: Request,
    ) -> Result<Response, DownloadError> {
        let url = response.url().clone();
        let limit = self.config.max_body_bytes;
        let too_large = || DownloadError::TooLarge {
            url: url.to_string(),
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let status = response.status().as_u16();
        let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
        while let Some(chunk) = response.chunk().await.map_err(|e| connection(&url, &e))? {
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            url: url.into(),
            status,
            headers,
            body,
            elapsed_ms: 0,
            request,
        })
    }
}

fn parse_url(raw: &str) -> Result<reqwest::Url, DownloadError> {
    let url = reqwest::Url::parse(raw)
        .map_err(|e| DownloadError::InvalidRequest(format!("{raw:?} is not a valid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(DownloadError::InvalidRequest(format!(
            "{raw:?}: only http and https URLs can be fetched"
        )));
    }
    Ok(url)
}

fn parse_method(raw: &str) -> Result<Method, DownloadError> {
    Method::from_bytes(raw.to_ascii_uppercase().as_bytes())
        .map_err(|_| DownloadError::InvalidRequest(format!("{raw:?} is not an HTTP method")))
}

fn parse_headers(raw: &[(String, String)]) -> Result<HeaderMap, DownloadError> {
    let mut headers = HeaderMap::with_capacity(raw.len());
    for (name, value) in raw {
        let invalid = || {
            DownloadError::InvalidRequest(format!(
                "header {name:?}: {value:?} is not a valid HTTP header"
            ))
        };
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
        let value = HeaderValue::from_str(value).map_err(|_| invalid())?;
        headers.append(name, value);
    }
    Ok(headers)
}

fn redirect_target(from: &reqwest::Url, headers: &HeaderMap) -> Option<reqwest::Url> {
    let location = headers.get(LOCATION)?.to_str().ok()?;
    let next = from.join(location).ok()?;
    matches!(next.scheme(), "http" | "https").then_some(next)
}

fn connection(url: &reqwest::Url, e: &reqwest::Error) -> DownloadError {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    DownloadError::Connection {
        url: url.to_string(),
        message,
    }
}
