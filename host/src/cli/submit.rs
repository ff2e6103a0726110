use anyhow::Context;
use clap::Args;

use super::{Cluster, check_start_urls};
use mocra_host::config::Settings;
use mocra_host::engine::{seeded_key, spider_key};
use mocra_host::services::frontier::Frontier;
use mocra_host::types::{RunId, SpiderName, get_request};

#[derive(Args, Debug)]
pub struct SubmitArgs {
    /// The spider to run, by name.
    spider: String,
    /// Start from these URLs instead of the spider's own start urls (repeatable).
    #[arg(long = "start-url", value_name = "URL")]
    start_urls: Vec<String>,
    #[command(flatten)]
    cluster: Cluster,
}

/// Starts a new run of a spider on a cluster: its start requests go into the shared
/// frontier under a fresh run id, which is printed.
pub async fn submit(args: SubmitArgs) -> anyhow::Result<()> {
    let mut settings = Settings::default();
    args.cluster.apply(&mut settings);
    anyhow::ensure!(
        settings.redis.is_some(),
        "submit starts a run on a cluster: give its Redis with --redis URL (or MOCRA_REDIS)"
    );
    check_start_urls(&args.start_urls)?;
    let spider = SpiderName::parse(&args.spider).map_err(anyhow::Error::msg)?;
    let services = super::services(&settings).await?;
    let urls = if args.start_urls.is_empty() {
        let registered = services
            .cache
            .get(&spider_key(&spider))
            .await?
            .with_context(|| {
                format!(
                    "no worker has registered spider {spider}: start `mocra-host serve` with its plugin, or pass --start-url"
                )
            })?;
        serde_json::from_slice(&registered).context("the registered start urls are not JSON")?
    } else {
        args.start_urls
    };
    let run = RunId::generate();
    let requests: Vec<_> = urls.iter().map(get_request).collect();
    let frontier = Frontier::new(services.queue.clone(), services.dedup.clone());
    let accepted = frontier.submit(&spider, &run, requests).await?;
    services
        .cache
        .set(&seeded_key(&spider, &run), Vec::new(), None)
        .await?;
    println!("{run}");
    eprintln!(
        "run {run} of {spider} started with {} requests",
        accepted.iter().filter(|a| **a).count()
    );
    Ok(())
}
