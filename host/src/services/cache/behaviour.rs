//! Behaviour every cache backend must show; instantiated per backend with
//! `cache_behaviour_tests!`.

use std::time::Duration;

use super::Cache;

pub async fn set_get_delete(c: &dyn Cache) {
    assert_eq!(c.get("k").await.unwrap(), None);
    c.set("k", b"v".to_vec(), None).await.unwrap();
    assert_eq!(c.get("k").await.unwrap(), Some(b"v".to_vec()));
    c.set("k", b"w".to_vec(), None).await.unwrap();
    assert_eq!(c.get("k").await.unwrap(), Some(b"w".to_vec()));
    assert!(c.delete("k").await.unwrap());
    assert!(!c.delete("k").await.unwrap());
    assert_eq!(c.get("k").await.unwrap(), None);
}

pub async fn ttl_expires(c: &dyn Cache) {
    // Wide enough that a loaded machine still reads the key before it expires.
    c.set("t", b"v".to_vec(), Some(Duration::from_millis(500)))
        .await
        .unwrap();
    c.set("forever", b"v".to_vec(), None).await.unwrap();
    assert_eq!(c.get("t").await.unwrap(), Some(b"v".to_vec()));
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(c.get("t").await.unwrap(), None);
    assert_eq!(c.get("forever").await.unwrap(), Some(b"v".to_vec()));
    assert!(
        c.set_nx("t", b"again".to_vec(), None).await.unwrap(),
        "an expired key is absent for set-nx"
    );
}

pub async fn set_nx_only_when_absent(c: &dyn Cache) {
    assert!(c.set_nx("n", b"1".to_vec(), None).await.unwrap());
    assert!(!c.set_nx("n", b"2".to_vec(), None).await.unwrap());
    assert_eq!(c.get("n").await.unwrap(), Some(b"1".to_vec()));
}

pub async fn incr_counts_and_rejects_non_integers(c: &dyn Cache) {
    assert_eq!(c.incr("c", 5).await.unwrap(), 5);
    assert_eq!(c.incr("c", -7).await.unwrap(), -2);
    assert_eq!(c.get("c").await.unwrap(), Some(b"-2".to_vec()));
    c.set("s", b"abc".to_vec(), None).await.unwrap();
    let err = c.incr("s", 1).await.unwrap_err().to_string();
    assert!(err.contains("does not hold an integer"), "{err}");
}

/// Instantiates every behaviour test for one backend. `$make` is an async block giving
/// `(guard, cache)`: the guard (a test server, or `()`) lives as long as the test.
#[macro_export]
macro_rules! cache_behaviour_tests {
    ($make:expr) => {
        $crate::cache_behaviour_tests!(@each $make;
            set_get_delete, ttl_expires, set_nx_only_when_absent,
            incr_counts_and_rejects_non_integers);
    };
    (@each $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test]
            async fn $name() {
                let (_guard, c) = $make.await;
                $crate::services::cache::behaviour::$name(&c).await;
            }
        )*
    };
}
