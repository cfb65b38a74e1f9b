//! Who may see and change what: tokens and their scopes, the owner a
//! route names, and the visibility rules GitHub applies.

use crate::github::model::{Owner, Package, State, Token};
use crate::github::render::{Answer, Failure};
use crate::routes::{Matched, Op, Scope};
use crate::seed::TokenKind;

/// Who is asking.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Caller<'a> {
    Anonymous,
    Token(&'a Token),
}

impl Caller<'_> {
    pub(crate) fn user(&self) -> Option<&str> {
        match self {
            Self::Token(token) if token.kind == TokenKind::Classic => Some(&token.user),
            _ => None,
        }
    }
}

impl State {
    /// Token and scope checks. Operations that document a 401 in GitHub's
    /// description need a token; the single-package GETs (which document
    /// none) serve public packages anonymously. Classic tokens need
    /// `read:packages`, plus `delete:packages` to delete and
    /// `write:packages` to restore; GitHub names what the token has and
    /// what the operation accepts in `X-OAuth-Scopes` and
    /// `X-Accepted-OAuth-Scopes`.
    pub(crate) fn authorize(
        &self,
        caller: Caller<'_>,
        op: Op,
        scope: Scope,
        method: &str,
    ) -> Result<(), Failure> {
        let accepted = match method {
            "DELETE" => "delete:packages, read:packages",
            "POST" => "read:packages, write:packages",
            _ => "read:packages",
        };
        let token = match caller {
            Caller::Token(token) => token,
            Caller::Anonymous
                if scope != Scope::Me && matches!(op, Op::GetPackage | Op::GetVersion) =>
            {
                return Ok(());
            }
            Caller::Anonymous => {
                return Err(Answer::error(401, "Requires authentication"));
            }
        };
        match token.kind {
            TokenKind::Classic => {
                let has = |scope: &str| token.scopes.iter().any(|s| s == scope);
                let needed = match method {
                    "DELETE" => vec!["read:packages", "delete:packages"],
                    "POST" => vec!["read:packages", "write:packages"],
                    _ => vec!["read:packages"],
                };
                if needed.iter().all(|s| has(s)) {
                    Ok(())
                } else {
                    Err(
                        Answer::error(403, "Resource not accessible by personal access token")
                            .with_header("x-oauth-scopes", token.scopes.join(", "))
                            .with_header("x-accepted-oauth-scopes", accepted),
                    )
                }
            }
            // A workflow token cannot list an owner's packages; tools fetch
            // each package by name (docs/github-behaviour.md, "Names and tokens").
            TokenKind::Actions
                if matches!(op, Op::ListPackages | Op::DockerConflicts) || scope == Scope::Me =>
            {
                Err(Answer::error(403, "Resource not accessible by integration"))
            }
            TokenKind::Actions => Ok(()),
        }
    }

    /// Who asks with the GitHub token `secret` (an unknown or missing one
    /// asks anonymously).
    pub(crate) fn caller(&self, secret: Option<&str>) -> Caller<'_> {
        match secret.and_then(|s| self.tokens.get(s)) {
            Some(token) => Caller::Token(token),
            None => Caller::Anonymous,
        }
    }

    /// The owner a route names (`/user` means the token's user).
    pub(crate) fn owner(&self, caller: Caller<'_>, matched: &Matched) -> Result<Owner, Failure> {
        let (login, want_org) = match matched.route.scope {
            Scope::Org => (
                matched.param("org").unwrap_or_default().to_owned(),
                Some(true),
            ),
            // GitHub's own actions/delete-package-versions reaches
            // organizations' packages through the `/users/` paths
            // (docs/github-behaviour.md, "Owners"), so any account answers.
            Scope::User => (
                matched.param("username").unwrap_or_default().to_owned(),
                None,
            ),
            Scope::Me => match caller {
                Caller::Token(token) => (token.user.clone(), None),
                Caller::Anonymous => return Err(Answer::error(401, "Requires authentication")),
            },
        };
        let owner = self
            .owners
            .get(&login.to_ascii_lowercase())
            .filter(|o| want_org.is_none_or(|org| o.members.is_some() == org))
            .ok_or_else(|| Answer::error(404, "Not Found"))?;
        Ok(owner.clone())
    }

    /// Whether `caller` may see the package at `index`.
    pub(crate) fn visible_to(&self, caller: Caller<'_>, index: usize) -> bool {
        self.visible(caller, &self.packages[index])
    }

    /// Whether `caller` may see `package`: public ones, or private and
    /// internal ones of the caller's own account or organizations, or of
    /// an Actions token's repository.
    pub(crate) fn visible(&self, caller: Caller<'_>, package: &Package) -> bool {
        if package.visibility == "public" {
            return true;
        }
        match caller {
            Caller::Anonymous => false,
            Caller::Token(token) if token.kind == TokenKind::Actions => {
                package.repository.is_some() && package.repository == token.repository
            }
            Caller::Token(token) => self.may_administer(token, package),
        }
    }

    /// Whether a classic token's user owns the package or belongs to its
    /// organization (the fake treats members as admins).
    pub(crate) fn may_administer(&self, token: &Token, package: &Package) -> bool {
        match self
            .owners
            .get(&package.owner)
            .and_then(|o| o.members.as_ref())
        {
            Some(members) => members.contains(&token.user),
            None => package.owner == token.user,
        }
    }

    /// Whether `caller` may delete or restore `package`.
    pub(crate) fn may_change(&self, caller: Caller<'_>, package: &Package) -> bool {
        match caller {
            Caller::Anonymous => false,
            Caller::Token(token) if token.kind == TokenKind::Actions => {
                package.repository.is_some() && package.repository == token.repository
            }
            Caller::Token(token) => self.may_administer(token, package),
        }
    }
}
