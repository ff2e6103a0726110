//! The shared Redis connection of the distributed backends, and their key layout.
//!
//! Every key lives under `mocra:<namespace>:`, so several crawls can share one Redis. A
//! `ConnectionManager` multiplexes commands over one connection and reconnects with backoff
//! when Redis goes away; a call made while it is down fails as `Unavailable`, and the caller
//! decides whether to retry.

use redis::aio::ConnectionManager;

use super::ServiceError;

#[derive(Clone)]
pub struct RedisConn {
    con: ConnectionManager,
    prefix: String,
}

impl RedisConn {
    /// Connects, or says why not: a bad URL, or nothing answering there.
    pub async fn connect(url: &str, namespace: &str) -> Result<Self, ServiceError> {
        let client = redis::Client::open(url)
            .map_err(|e| ServiceError::InvalidInput(format!("Redis URL {url:?}: {e}")))?;
        // Large pipelines (a catalog's follow-ups) and blocking reads outlast redis-rs's
        // default 500 ms response timeout.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_response_timeout(Some(std::time::Duration::from_secs(10)))
            .set_connection_timeout(Some(std::time::Duration::from_secs(2)));
        let con = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(|e| {
                ServiceError::Unavailable(format!(
                    "cannot reach Redis at {url}: {e}; is redis-server running there?"
                ))
            })?;
        Ok(Self {
            con,
            prefix: format!("mocra:{namespace}"),
        })
    }

    /// `mocra:<namespace>:<kind>:<name>`
    pub fn key(&self, kind: &str, name: &str) -> String {
        format!("{}:{kind}:{name}", self.prefix)
    }

    /// A handle on the shared connection; clones are cheap and share it.
    pub fn con(&self) -> ConnectionManager {
        self.con.clone()
    }
}

/// A Redis failure as the services report it.
pub fn service_error(e: redis::RedisError) -> ServiceError {
    if e.to_string().contains("not an integer") {
        ServiceError::InvalidInput(e.to_string())
    } else {
        ServiceError::Unavailable(format!("Redis: {e}"))
    }
}

#[cfg(test)]
pub(crate) mod harness {
    //! A real `redis-server` on a free loopback port, for one test; killed on drop.

    use std::net::TcpListener;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use super::RedisConn;

    pub struct RedisServer {
        child: Child,
        pub url: String,
    }

    impl RedisServer {
        pub async fn start() -> Self {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free loopback port")
                .port();
            let child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-server is not installed: apt-get install -y redis-server");
            let server = Self {
                child,
                url: format!("redis://127.0.0.1:{port}/"),
            };
            let deadline = Instant::now() + Duration::from_secs(10);
            while RedisConn::connect(&server.url, "probe").await.is_err() {
                assert!(
                    Instant::now() < deadline,
                    "redis-server did not start on {port}"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            server
        }

        pub async fn conn(&self) -> RedisConn {
            RedisConn::connect(&self.url, "test")
                .await
                .expect("connecting to the test redis-server")
        }
    }

    impl Drop for RedisServer {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
