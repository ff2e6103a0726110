//! The demo site, standalone: `mocra-site [--port 8000]`.

use mocra_tests::site::TestSite;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let mut port = 8000;
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().map(|v| v.parse())) {
            ("--port", Some(Ok(p))) => port = p,
            _ => {
                eprintln!("usage: mocra-site [--port PORT]");
                return std::process::ExitCode::from(2);
            }
        }
    }
    let site = match TestSite::start_on(port).await {
        Ok(site) => site,
        Err(e) => {
            eprintln!("mocra-site: cannot listen on 127.0.0.1:{port}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("serving on {}", site.origin());
    let _ = tokio::signal::ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
