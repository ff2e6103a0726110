use std::cell::OnceCell;

use serde::Serialize;

use crate::bindings::mocra::spider::types as wit;
use crate::{Error, Request};

/// What a parse produces: items and follow-up requests. Links are joined to the page's URL.
pub struct Output {
    /// The page's URL, parsed on the first join: most item pages join nothing.
    base: String,
    parsed_base: OnceCell<Result<url::Url, url::ParseError>>,
    items: Vec<wit::Item>,
    requests: Vec<wit::Request>,
}

impl Output {
    pub(crate) fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            parsed_base: OnceCell::new(),
            items: Vec::new(),
            requests: Vec::new(),
        }
    }

    /// Emits an item: any `Serialize` value, written by the host as one JSON object line.
    pub fn item<T: Serialize>(&mut self, kind: &str, item: &T) -> Result<(), Error> {
        self.items.push(wit::Item {
            kind: kind.to_owned(),
            data: rmp_serde::to_vec_named(item)?,
        });
        Ok(())
    }

    /// Follows a link in the default step.
    pub fn follow(&mut self, href: &str) -> Result<(), Error> {
        self.follow_to(href, "")
    }

    /// Follows a link into `step`.
    pub fn follow_to(&mut self, href: &str, step: &str) -> Result<(), Error> {
        let url = self.join(href)?;
        self.request(Request::get(url).step(step));
        Ok(())
    }

    pub fn request(&mut self, request: Request) {
        self.requests.push(request.into());
    }

    /// Resolves `href` against the page's URL.
    pub fn join(&self, href: &str) -> Result<String, Error> {
        let base = self
            .parsed_base
            .get_or_init(|| url::Url::parse(&self.base))
            .as_ref()
            .map_err(|e| Error::from(*e))?;
        Ok(base.join(href)?.into())
    }

    pub(crate) fn into_wit(self) -> wit::Output {
        wit::Output {
            items: self.items,
            requests: self.requests,
        }
    }
}
