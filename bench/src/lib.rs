//! Shared pieces of zkit's benchmarks: the fixed Zerokie app bodies the bench server answers with, and
//! the figures and table the Rust benchmark prints. See `bench/README.md`.

pub mod fixture;
pub mod report;
