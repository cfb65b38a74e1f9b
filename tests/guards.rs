//! Guards that make spec drift visible in review. See each module.

mod docs;
mod drift;
mod freshness;
mod payloads;
mod surface;
