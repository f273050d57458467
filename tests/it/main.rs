//! The integration test binary: fixture sites built with the real `opsbook`
//! binary, snapshots of what a user sees, the CommonMark/GFM spec, the
//! shared corpora and real-browser checks.

mod browser;
mod build;
mod charts;
mod check;
mod competitors;
mod corpora;
mod docs;
mod harness;
mod print;
mod props;
mod robust;
mod scaffold;
mod search;
mod serve;
mod spec;
mod versions;
