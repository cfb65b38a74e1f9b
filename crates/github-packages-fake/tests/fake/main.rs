//! The fake over HTTP on loopback: GitHub's semantics, rate limits, faults,
//! the registry, the binary, and conformance with the spec.

mod accounts;
mod admin;
mod binary;
mod conformance;
mod faults;
mod limits;
mod push;
mod registry;
mod rest;
mod support;
