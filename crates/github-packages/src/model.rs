//! What requests are about and what GitHub answers, as types: the
//! [`owner`] and its name rules, the [`target`] of a request, typed
//! [`ids`], open [`enums`], a [`package`] and its versions, and the
//! [`rate_limit`] state GitHub reports on every answer.

pub(crate) mod enums;
pub(crate) mod ids;
pub(crate) mod owner;
pub(crate) mod package;
pub(crate) mod rate_limit;
pub(crate) mod target;
