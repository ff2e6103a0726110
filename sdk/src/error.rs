use std::fmt;

use crate::bindings::mocra::spider::types::Error as WitError;

/// An error a spider reports to the host, or a host call reports to the spider.
#[derive(Debug, Clone)]
pub struct Error(pub(crate) WitError);

impl Error {
    /// The spider's own failure: the page is counted as `plugin-error`.
    pub fn other(message: impl Into<String>) -> Self {
        Self(WitError::Other(message.into()))
    }

    /// Bad arguments: a malformed URL or CSS selector, meta that does not decode.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self(WitError::InvalidInput(message.into()))
    }

    /// Something the spider may not do (a domain it is not allowed to reach, ...).
    pub fn access_denied(message: impl Into<String>) -> Self {
        Self(WitError::AccessDenied(message.into()))
    }

    /// A download failed: timeout, connection, too large, too many redirects.
    pub fn network(message: impl Into<String>) -> Self {
        Self(WitError::Network(message.into()))
    }

    /// A backend is out of reach; trying again later may work.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self(WitError::Unavailable(message.into()))
    }

    /// The kind as the host names it: `access-denied`, `invalid-input`, `network`,
    /// `unavailable` or `other`.
    pub fn kind(&self) -> &'static str {
        match &self.0 {
            WitError::AccessDenied(_) => "access-denied",
            WitError::InvalidInput(_) => "invalid-input",
            WitError::Network(_) => "network",
            WitError::Unavailable(_) => "unavailable",
            WitError::Other(_) => "other",
        }
    }

    pub fn message(&self) -> &str {
        match &self.0 {
            WitError::AccessDenied(m)
            | WitError::InvalidInput(m)
            | WitError::Network(m)
            | WitError::Unavailable(m)
            | WitError::Other(m) => m,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind(), self.message())
    }
}

impl std::error::Error for Error {}

impl From<WitError> for Error {
    fn from(e: WitError) -> Self {
        Self(e)
    }
}

impl From<Error> for WitError {
    fn from(e: Error) -> Self {
        e.0
    }
}

impl From<url::ParseError> for Error {
    fn from(e: url::ParseError) -> Self {
        Self::invalid_input(format!("bad URL: {e}"))
    }
}

impl From<scraper::error::SelectorErrorKind> for Error {
    fn from(e: scraper::error::SelectorErrorKind) -> Self {
        Self::invalid_input(format!("bad CSS selector: {e}"))
    }
}

impl From<rmp_serde::encode::Error> for Error {
    fn from(e: rmp_serde::encode::Error) -> Self {
        Self::other(format!("cannot encode as MessagePack: {e}"))
    }
}

impl From<rmp_serde::decode::Error> for Error {
    fn from(e: rmp_serde::decode::Error) -> Self {
        Self::invalid_input(format!("cannot decode MessagePack: {e}"))
    }
}
