//! The request pipeline every request of a client runs through, in the
//! order it meets them: the [`pipeline`] (attempts, retries, turning what
//! an attempt saw into a value or an error), the [`throttle`] (GitHub's
//! limits, client-wide), the [`retry`] policy, GitHub's [`quota`] as last
//! reported, and one [`exchange`] with the server (headers, redirects,
//! bounded bodies). [`base_url`] decides where the API lives.

pub(crate) mod base_url;
pub(crate) mod exchange;
pub(crate) mod pipeline;
pub(crate) mod quota;
pub(crate) mod retry;
pub(crate) mod throttle;
