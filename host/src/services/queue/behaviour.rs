//! Behaviour every queue backend must show; each backend instantiates these tests with
//! `queue_behaviour_tests!`.

use std::time::Duration;

use super::{Queue, QueueConfig};
use crate::types::{RunId, SpiderName, Task, TaskId, get_request};

pub fn config() -> QueueConfig {
    QueueConfig {
        visibility_timeout: Duration::from_millis(300),
        max_deliveries: 3,
    }
}

fn task(url: &str, priority: u8) -> Task {
    let mut request = get_request(url);
    request.priority = priority;
    Task {
        id: TaskId(0),
        spider: SpiderName::parse("t").unwrap(),
        run: RunId("r".into()),
        request,
        attempt: 0,
    }
}

fn urls(tasks: &[Task]) -> Vec<&str> {
    tasks.iter().map(|t| t.request.url.as_str()).collect()
}

const NO_WAIT: Duration = Duration::ZERO;

pub async fn delivers_by_priority_then_fifo(q: &dyn Queue) {
    q.push(vec![task("a", 0), task("b", 5), task("c", 0), task("d", 5)])
        .await
        .unwrap();
    let got = q.pop(10, NO_WAIT).await.unwrap();
    assert_eq!(urls(&got), ["b", "d", "a", "c"]);
    let depth = q.depth().await.unwrap();
    assert_eq!((depth.ready, depth.in_flight), (0, 4));
    q.ack(&got.iter().map(|t| t.id).collect::<Vec<_>>())
        .await
        .unwrap();
    assert!(q.depth().await.unwrap().is_drained());
    assert!(q.pop(10, NO_WAIT).await.unwrap().is_empty());
}

pub async fn pop_respects_max_and_waits_for_push(q: &dyn Queue) {
    q.push(vec![task("a", 0), task("b", 0), task("c", 0)])
        .await
        .unwrap();
    assert_eq!(urls(&q.pop(2, NO_WAIT).await.unwrap()), ["a", "b"]);
    assert_eq!(urls(&q.pop(2, NO_WAIT).await.unwrap()), ["c"]);
    let waiting = q.pop(1, Duration::from_secs(5));
    let pushing = async {
        tokio::task::yield_now().await;
        q.push(vec![task("late", 0)]).await.unwrap();
    };
    let (got, ()) = tokio::join!(waiting, pushing);
    assert_eq!(urls(&got.unwrap()), ["late"]);
}

pub async fn retry_is_delivered_after_its_delay(q: &dyn Queue) {
    q.push(vec![task("a", 0)]).await.unwrap();
    let mut got = q.pop(1, NO_WAIT).await.unwrap();
    let mut t = got.remove(0);
    t.attempt += 1;
    q.retry(t, Duration::from_millis(150)).await.unwrap();
    let depth = q.depth().await.unwrap();
    assert_eq!((depth.in_flight, depth.delayed), (0, 1));
    assert!(!depth.is_drained());
    assert!(q.pop(1, NO_WAIT).await.unwrap().is_empty());
    let started = std::time::Instant::now();
    let again = q.pop(1, Duration::from_secs(5)).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert_eq!(urls(&again), ["a"]);
    assert_eq!(again[0].attempt, 1);
}

pub async fn unacked_task_is_delivered_again(q: &dyn Queue) {
    q.push(vec![task("a", 0)]).await.unwrap();
    let first = q.pop(1, NO_WAIT).await.unwrap();
    assert_eq!(urls(&first), ["a"]);
    let again = q.pop(1, Duration::from_secs(5)).await.unwrap();
    assert_eq!(urls(&again), ["a"]);
    assert_eq!(again[0].id, first[0].id);
}

pub async fn task_delivered_too_often_is_dead_lettered(q: &dyn Queue) {
    q.push(vec![task("a", 0)]).await.unwrap();
    let mut deliveries = 0;
    // Long enough for the visibility timeout to pass between two deliveries.
    let wait = Duration::from_secs(2);
    while !q.pop(1, wait).await.unwrap().is_empty() {
        deliveries += 1;
        assert!(
            deliveries <= config().max_deliveries,
            "delivered past the limit"
        );
        if q.depth().await.unwrap().dead == 1 {
            break;
        }
    }
    assert_eq!(deliveries, config().max_deliveries);
    let dead = q.dead_letters().await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].task.request.url, "a");
    assert_eq!(dead[0].reason, "delivered too often: its workers died");
    assert!(q.depth().await.unwrap().is_drained());
}

pub async fn dead_letters_keep_task_and_reason(q: &dyn Queue) {
    q.push(vec![task("a", 0)]).await.unwrap();
    let t = q.pop(1, NO_WAIT).await.unwrap().remove(0);
    q.dead_letter(t, "plugin-panic: boom".into()).await.unwrap();
    let dead = q.dead_letters().await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].task.request.url, "a");
    assert_eq!(dead[0].reason, "plugin-panic: boom");
    let depth = q.depth().await.unwrap();
    assert_eq!(depth.dead, 1);
    assert!(depth.is_drained());
}

pub async fn topics_are_fifo_and_separate(q: &dyn Queue) {
    q.publish("x", b"1".to_vec()).await.unwrap();
    q.publish("y", b"other".to_vec()).await.unwrap();
    q.publish("x", b"2".to_vec()).await.unwrap();
    q.publish("x", b"3".to_vec()).await.unwrap();
    assert_eq!(
        q.consume("x", 2).await.unwrap(),
        [b"1".to_vec(), b"2".to_vec()]
    );
    assert_eq!(q.consume("x", 10).await.unwrap(), [b"3".to_vec()]);
    assert!(q.consume("x", 10).await.unwrap().is_empty());
    assert_eq!(q.consume("y", 10).await.unwrap(), [b"other".to_vec()]);
}

/// Instantiates every behaviour test for one backend. `$make` is an async block giving
/// `(guard, queue)`: the guard (a test server, or `()`) lives as long as the test.
#[macro_export]
macro_rules! queue_behaviour_tests {
    ($make:expr) => {
        $crate::queue_behaviour_tests!(@each $make;
            delivers_by_priority_then_fifo,
            pop_respects_max_and_waits_for_push,
            retry_is_delivered_after_its_delay,
            unacked_task_is_delivered_again,
            dead_letters_keep_task_and_reason,
            task_delivered_too_often_is_dead_lettered,
            topics_are_fifo_and_separate);
    };
    (@each $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test]
            async fn $name() {
                let (_guard, q) = $make.await;
                $crate::services::queue::behaviour::$name(&q).await;
            }
        )*
    };
}
