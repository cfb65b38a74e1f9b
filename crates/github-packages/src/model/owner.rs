//! Who owns the packages: an organization, a user, or the token's own user.

use std::fmt;
use std::str::FromStr;

/// The owner of packages, i.e. which of GitHub's three URL families
/// (`/orgs/{org}`, `/users/{username}`, `/user`) a request goes to.
///
/// ```
/// use github_packages::Owner;
///
/// let owner: Owner = "org:acme".parse()?;
/// assert_eq!(owner, Owner::org("acme"));
/// assert_eq!(owner.to_string(), "org:acme");
/// assert_eq!("me".parse::<Owner>()?, Owner::AuthenticatedUser);
/// # Ok::<(), github_packages::ParseOwnerError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// An organization, by login (case does not matter to GitHub).
    Org(String),
    /// A user account, by login.
    User(String),
    /// The user the token belongs to. Its packages include private ones the
    /// `User` scope does not show.
    AuthenticatedUser,
}

impl Owner {
    /// An organization.
    pub fn org(login: impl Into<String>) -> Self {
        Self::Org(login.into())
    }

    /// A user account.
    pub fn user(login: impl Into<String>) -> Self {
        Self::User(login.into())
    }
}

/// `org:NAME`, `user:NAME` or `me`: the form [`FromStr`] reads, so an
/// owner written out can be read back (command lines, logs, JSON).
impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Org(login) => write!(f, "org:{login}"),
            Self::User(login) => write!(f, "user:{login}"),
            Self::AuthenticatedUser => f.write_str("me"),
        }
    }
}

/// Text that does not name an owner.
///
/// ```
/// let error = "acme".parse::<github_packages::Owner>().unwrap_err();
/// assert_eq!(error.to_string(), "`acme` is not an owner; write org:NAME, user:NAME or me");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an owner; write org:NAME, user:NAME or me")]
pub struct ParseOwnerError(String);

/// Parses `org:NAME`, `user:NAME` or `me`, as a command line would take an
/// owner.
impl FromStr for Owner {
    type Err = ParseOwnerError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let owner = match text.split_once(':') {
            Some(("org", login)) => Self::org(login.trim()),
            Some(("user", login)) => Self::user(login.trim()),
            None if text == "me" => Self::AuthenticatedUser,
            _ => return Err(ParseOwnerError(text.to_owned())),
        };
        match &owner {
            Self::Org(login) | Self::User(login) if login.is_empty() => {
                Err(ParseOwnerError(text.to_owned()))
            }
            _ => Ok(owner),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_parse_from_command_line_text() {
        assert_eq!("org:acme".parse(), Ok(Owner::org("acme")));
        assert_eq!("user:octocat".parse(), Ok(Owner::user("octocat")));
        assert_eq!(" me ".parse(), Ok(Owner::AuthenticatedUser));
        for bad in ["acme", "org:", "team:x", ""] {
            let err = bad.parse::<Owner>().unwrap_err();
            assert!(
                err.to_string()
                    .ends_with("is not an owner; write org:NAME, user:NAME or me"),
                "{err}"
            );
        }
    }

    #[test]
    fn owners_display_as_they_parse() {
        for owner in [
            Owner::org("acme"),
            Owner::user("octocat"),
            Owner::AuthenticatedUser,
        ] {
            assert_eq!(owner.to_string().parse(), Ok(owner.clone()));
        }
        assert_eq!(Owner::org("acme").to_string(), "org:acme");
        assert_eq!(Owner::AuthenticatedUser.to_string(), "me");
    }
}
