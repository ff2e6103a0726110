use clap::Args;

use super::Cluster;
use mocra_host::config::Settings;
use mocra_host::services::cluster;
use mocra_host::services::redis::RedisConn;

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Print the status as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    cluster: Cluster,
}

/// Prints what a cluster is doing: workers alive, the frontier per priority, runs.
pub async fn status(args: StatusArgs) -> anyhow::Result<()> {
    let mut settings = Settings::default();
    args.cluster.apply(&mut settings);
    let Some(url) = &settings.redis else {
        anyhow::bail!("status reads a cluster: give its Redis with --redis URL (or MOCRA_REDIS)");
    };
    let redis = RedisConn::connect(url, &settings.namespace).await?;
    let status = cluster::status(&redis).await?;
    if args.json {
        let json = serde_json::json!({
            "workers_alive": status.workers_alive,
            "ready": status.depth.ready,
            "in_flight": status.depth.in_flight,
            "delayed": status.depth.delayed,
            "dead_letters": status.depth.dead,
            "runs": status.runs,
        });
        println!("{json}");
    } else {
        println!("{status}");
    }
    Ok(())
}
