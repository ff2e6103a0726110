//! Where items go.

pub mod jsonl;
