//! The client against a mock GitHub on loopback: what reaches the server for
//! each operation, how answers map to errors, paging, retries, and that the
//! token never leaks. One test binary, so the crate links once.

mod against_fake;
mod anonymous;
mod at_limits;
mod base_urls;
mod bulk;
mod ergonomics;
mod errors;
mod hostile;
mod logs;
mod operations;
mod paging;
mod real_shapes;
mod retries;
mod secrets;
mod support;
mod validation;
