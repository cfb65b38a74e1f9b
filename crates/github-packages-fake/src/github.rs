//! GitHub's packages semantics over an in-memory model, independent of
//! HTTP: the [`model`] and its time rules, building it from a seed
//! ([`seeding`]), who may see and change what ([`access`]), the nine
//! [`operations`], the account endpoints clients call first
//! ([`accounts`]), and the answers' shapes ([`render`]). The facts it
//! follows are in `docs/github-behaviour.md`, cited where used.

pub(crate) mod access;
pub(crate) mod accounts;
pub(crate) mod model;
pub(crate) mod operations;
pub(crate) mod render;
mod seeding;
