//! Warm instances of one plugin version. A fresh instance costs tens of µs, a call on a warm
//! one a few: reuse them, and throw one away after a trap, after `max_calls` calls, or once
//! its memory has grown past `recycle_memory`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmtime::component::InstancePre;
use wasmtime::{Store, Trap, UpdateDeadline};

use super::bindings::SpiderPlugin;
use super::bindings::SpiderPluginPre;
use super::bindings::mocra::spider::types::SpiderInfo;
use super::bindings::mocra::spider::types::{Error as PluginError, Output, Request, Response};
use super::error::{CallError, CallFailure, describe_plugin_error};
use super::state::{HostState, PluginContext};
use crate::types::RunId;

#[derive(Clone, Debug)]
pub struct PoolLimits {
    pub max_memory: usize,
    /// An instance whose memory grew past this is not reused.
    pub recycle_memory: usize,
    pub call_timeout: Duration,
    pub max_calls: u32,
    /// Idle instances kept at the most.
    pub max_idle: usize,
}

pub struct InstancePool {
    pre: SpiderPluginPre<HostState>,
    ctx: Arc<PluginContext>,
    limits: PoolLimits,
    idle: Mutex<Vec<Warm>>,
}

struct Warm {
    store: Store<HostState>,
    bindings: SpiderPlugin,
    calls: u32,
}

impl InstancePool {
    pub fn new(
        pre: InstancePre<HostState>,
        ctx: Arc<PluginContext>,
        limits: PoolLimits,
    ) -> wasmtime::Result<Self> {
        Ok(Self {
            pre: SpiderPluginPre::new(pre)?,
            ctx,
            limits,
            idle: Mutex::new(Vec::new()),
        })
    }

    pub async fn info(&self) -> Result<SpiderInfo, CallError> {
        let mut warm = self.take("info").await?;
        let result = warm
            .bindings
            .mocra_spider_spider()
            .call_info(&mut warm.store)
            .await
            .map(Ok);
        self.finish(warm, "info", result)
    }

    /// The spider's extra start requests, for `run`.
    pub async fn start(&self, run: &RunId) -> Result<Vec<Request>, CallError> {
        let mut warm = self.take("start").await?;
        warm.store.data_mut().run = run.clone();
        let result = warm
            .bindings
            .mocra_spider_spider()
            .call_start(&mut warm.store)
            .await;
        self.finish(warm, "start", result)
    }

    /// Parses a response of a task of `run`.
    pub async fn parse(&self, response: &Response, run: &RunId) -> Result<Output, CallError> {
        let mut warm = self.take("parse").await?;
        warm.store.data_mut().run = run.clone();
        let result = warm
            .bindings
            .mocra_spider_spider()
            .call_parse(&mut warm.store, response)
            .await;
        self.finish(warm, "parse", result)
    }

    /// A warm instance (or a fresh one) with the call's deadline armed.
    async fn take(&self, call: &'static str) -> Result<Warm, CallError> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut warm = match idle {
            Some(warm) => warm,
            None => self.instantiate(call).await?,
        };
        warm.store.data_mut().deadline = Instant::now() + self.limits.call_timeout;
        warm.store.set_epoch_deadline(1);
        Ok(warm)
    }

    async fn instantiate(&self, call: &'static str) -> Result<Warm, CallError> {
        let state = HostState::new(self.ctx.clone(), self.limits.max_memory);
        let mut store = Store::new(self.pre.engine(), state);
        store.limiter(|s| &mut s.limits);
        // Yield to the executor at every epoch tick, so a long call never starves other
        // tasks, and interrupt the call once its wall-clock deadline has passed.
        store.epoch_deadline_callback(|ctx| {
            Ok(if Instant::now() >= ctx.data().deadline {
                UpdateDeadline::Interrupt
            } else {
                UpdateDeadline::Yield(1)
            })
        });
        store.data_mut().deadline = Instant::now() + self.limits.call_timeout;
        store.set_epoch_deadline(1);
        match self.pre.instantiate_async(&mut store).await {
            Ok(bindings) => Ok(Warm {
                store,
                bindings,
                calls: 0,
            }),
            Err(e) => Err(self.failure(&store, call, &e)),
        }
    }

    /// Turns a call's outcome into the caller's result and decides the instance's fate.
    fn finish<T>(
        &self,
        mut warm: Warm,
        call: &'static str,
        result: wasmtime::Result<Result<T, PluginError>>,
    ) -> Result<T, CallError> {
        match result {
            Err(trap) => Err(self.failure(&warm.store, call, &trap)),
            Ok(outcome) => {
                warm.calls += 1;
                self.recycle(warm);
                outcome.map_err(|e| CallError {
                    plugin: self.ctx.name.to_string(),
                    call,
                    failure: CallFailure::PluginError,
                    message: describe_plugin_error(&e),
                })
            }
        }
    }

    fn recycle(&self, warm: Warm) {
        let worn = warm.calls >= self.limits.max_calls
            || warm.store.data().limits.peak() > self.limits.recycle_memory;
        if worn {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.limits.max_idle {
            idle.push(warm);
        }
    }

    /// Classifies a trap. The instance that trapped is dropped by the caller: a trapped
    /// instance cannot be entered again.
    fn failure(
        &self,
        store: &Store<HostState>,
        call: &'static str,
        e: &wasmtime::Error,
    ) -> CallError {
        let trap = e.downcast_ref::<Trap>().copied();
        let failure = if store.data().limits.refused() {
            CallFailure::Memory
        } else {
            match trap {
                Some(Trap::Interrupt) => CallFailure::Deadline,
                Some(_) => CallFailure::Panic,
                None => CallFailure::Host,
            }
        };
        let message = match failure {
            CallFailure::Memory => format!(
                "needed more than its memory limit of {} MiB",
                self.limits.max_memory >> 20
            ),
            CallFailure::Deadline => format!(
                "still running after {} ms; interrupted",
                self.limits.call_timeout.as_millis()
            ),
            _ => trap.map_or_else(|| format!("{e:#}"), |t| t.to_string()),
        };
        CallError {
            plugin: self.ctx.name.to_string(),
            call,
            failure,
            message,
        }
    }
}
