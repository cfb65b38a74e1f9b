//! Nothing to use here: this crate's tests (`tests/real_registry.rs`) run
//! retention against a real registry.
