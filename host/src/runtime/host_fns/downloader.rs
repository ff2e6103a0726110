use crate::downloader::DownloadError;
use crate::runtime::bindings::mocra::spider::downloader::Host;
use crate::runtime::bindings::mocra::spider::types::{Error, Request, Response};
use crate::runtime::state::HostState;

impl Host for HostState {
    #[tracing::instrument(skip(self, req), fields(plugin = %self.plugin.name, url = %req.url))]
    async fn fetch(&mut self, req: Request) -> wasmtime::Result<Result<Response, Error>> {
        if let Err(e) = self.check_services() {
            return Ok(Err(e));
        }
        let plugin = self.plugin.clone();
        let got = plugin
            .downloader
            .fetch_with_retries(req, &plugin.allow)
            .await;
        Ok(got.map_err(|e| match e {
            DownloadError::NotAllowed(m) => Error::AccessDenied(m),
            DownloadError::InvalidRequest(m) => Error::InvalidInput(m),
            other => Error::Network(other.to_string()),
        }))
    }
}
