//! The request API a caller meets first: handles on an owner's packages,
//! one package and one version ([`resources`]); the table that turns each
//! request into the generated operation of its owner scope, with every
//! check made before sending ([`dispatch`]); listings page by page or as
//! a stream ([`paging`]); many deletions or restores at once ([`bulk`]).
//!
//! Everything here sends through the client's request pipeline
//! ([`crate::http`]).

pub(crate) mod bulk;
pub(crate) mod checks;
pub(crate) mod dispatch;
pub(crate) mod paging;
pub(crate) mod resources;
