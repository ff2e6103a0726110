//! The frontier as the engine and plugins see it: the duplicate filter in front of the queue.

use std::sync::Arc;

use super::ServiceError;
use super::dedup::{Dedup, fingerprint};
use super::queue::Queue;
use crate::types::{Request, RunId, SpiderName, Task, TaskId};

#[derive(Clone)]
pub struct Frontier {
    queue: Arc<dyn Queue>,
    dedup: Arc<dyn Dedup>,
}

impl Frontier {
    pub fn new(queue: Arc<dyn Queue>, dedup: Arc<dyn Dedup>) -> Self {
        Self { queue, dedup }
    }

    /// Enqueues the requests the duplicate filter of this spider's run lets through (all
    /// with `dont_filter`) and answers, in order, which ones were enqueued.
    pub async fn submit(
        &self,
        spider: &SpiderName,
        run: &RunId,
        requests: Vec<Request>,
    ) -> Result<Vec<bool>, ServiceError> {
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        let scope = format!("{spider}/{run}");
        let fingerprints: Vec<_> = requests.iter().map(|r| fingerprint(&scope, r)).collect();
        let fresh = self.dedup.insert_many(&fingerprints).await?;
        let mut accepted = Vec::with_capacity(requests.len());
        let mut tasks = Vec::new();
        for (request, fresh) in requests.into_iter().zip(fresh) {
            let take = fresh || request.dont_filter;
            accepted.push(take);
            if take {
                tasks.push(Task {
                    id: TaskId(0),
                    spider: spider.clone(),
                    run: run.clone(),
                    request,
                    attempt: 0,
                });
            }
        }
        self.queue.push(tasks).await?;
        Ok(accepted)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::services::Services;
    use crate::types::get_request;

    #[tokio::test]
    async fn filters_duplicates_per_spider_and_run_unless_told_not_to() {
        let services = Services::in_memory(Default::default());
        let frontier = Frontier::new(services.queue.clone(), services.dedup.clone());
        let books = SpiderName::parse("books").unwrap();
        let news = SpiderName::parse("news").unwrap();
        let (first, second) = (RunId("1".into()), RunId("2".into()));
        let mut again = get_request("http://h/a");
        again.dont_filter = true;
        let got = frontier
            .submit(
                &books,
                &first,
                vec![
                    get_request("http://h/a"),
                    get_request("http://h/a#x"),
                    again,
                ],
            )
            .await
            .unwrap();
        assert_eq!(got, [true, false, true]);
        let a = || vec![get_request("http://h/a")];
        assert_eq!(frontier.submit(&news, &first, a()).await.unwrap(), [true]);
        assert_eq!(frontier.submit(&books, &second, a()).await.unwrap(), [true]);
        assert_eq!(
            frontier.submit(&books, &second, a()).await.unwrap(),
            [false]
        );
        let tasks = services.queue.pop(10, Duration::ZERO).await.unwrap();
        let got: Vec<_> = tasks
            .iter()
            .map(|t| (t.spider.as_str(), t.run.0.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("books", "1"),
                ("books", "1"),
                ("news", "1"),
                ("books", "2")
            ]
        );
    }
}
