//! What a plugin instance may allocate.

use wasmtime::ResourceLimiter;

/// Caps linear memory and tables, and remembers that it refused a growth, so a trap that
/// follows (Rust aborts on a failed allocation) is reported as out of memory, not as a panic.
pub struct InstanceLimits {
    max_memory: usize,
    max_table_elements: usize,
    refused: bool,
    peak: usize,
}

impl InstanceLimits {
    pub fn new(max_memory: usize) -> Self {
        Self {
            max_memory,
            max_table_elements: 100_000,
            refused: false,
            peak: 0,
        }
    }

    /// True when a growth was refused since the instance was made.
    pub fn refused(&self) -> bool {
        self.refused
    }

    /// The largest linear memory granted so far, in bytes.
    pub fn peak(&self) -> usize {
        self.peak
    }
}

impl ResourceLimiter for InstanceLimits {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allow = desired <= self.max_memory;
        self.refused |= !allow;
        if allow {
            self.peak = self.peak.max(desired);
        }
        Ok(allow)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allow = desired <= self.max_table_elements;
        self.refused |= !allow;
        Ok(allow)
    }

    fn instances(&self) -> usize {
        64
    }

    fn tables(&self) -> usize {
        64
    }

    fn memories(&self) -> usize {
        16
    }
}
