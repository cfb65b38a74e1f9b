//! Who owns the packages: an organization, a user, or the token's own user.

use std::fmt;
use std::str::FromStr;

use crate::Error;

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

    /// Checks the login before anything is sent.
    pub(crate) fn validate(&self, operation: &'static str) -> Result<(), Error> {
        match self {
            Self::Org(login) => check_name(operation, "organization login", login, MAX_LOGIN),
            Self::User(login) => check_name(operation, "user login", login, MAX_LOGIN),
            Self::AuthenticatedUser => Ok(()),
        }
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

/// The longest login GitHub gives a user or an organization: 39 characters
/// (GitHub's sign-up rule, also on GitHub Enterprise Server).
pub(crate) const MAX_LOGIN: usize = 39;

/// The longest package name sent, in bytes: twice the longest name any
/// registry GitHub hosts accepts (container images: under 256 with the
/// registry host, per the OCI distribution spec; npm: 214; NuGet: 100).
pub(crate) const MAX_PACKAGE_NAME: usize = 512;

/// Rejects names that would not reach GitHub as the one path segment meant,
/// or that are too long to be a GitHub name (`max` bytes).
///
/// The generated client percent-encodes `/`, `%`, `?`, `#`, spaces and
/// non-ASCII, so those are fine (a container named `team/app` stays one
/// segment). URL parsing would still turn `\` into `/` and resolve `.`/`..`
/// segments away, which would silently address another resource.
pub(crate) fn check_name(
    operation: &'static str,
    what: &str,
    name: &str,
    max: usize,
) -> Result<(), Error> {
    // `all` stops at the first character of a usual name.
    let problem = if name.chars().all(char::is_whitespace) {
        "is empty".to_owned()
    } else if name.len() > max {
        format!(
            "is {} bytes long; GitHub's names have at most {max}",
            name.len()
        )
    } else if name == "." || name == ".." {
        "is a dot segment, which URLs resolve away".to_owned()
    } else if name.contains('\\') {
        "contains `\\`, which URLs treat as a path separator".to_owned()
    } else {
        return Ok(());
    };
    Err(Error::InvalidArgument {
        operation,
        message: format!("the {what} {problem}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_would_change_the_url_are_rejected() {
        for (name, problem) in [
            ("", "is empty"),
            ("  ", "is empty"),
            ("..", "is a dot segment"),
            ("a\\b", "contains `\\`"),
        ] {
            let err = check_name("packages/x", "package name", name, 512).unwrap_err();
            assert!(err.to_string().contains(problem), "{name:?}: {err}");
        }
        for fine in [
            "team/app",
            "100%",
            "what?",
            "#1",
            "with space",
            "ünïcode",
            "@scope/pkg",
            "a..b",
        ] {
            check_name("packages/x", "package name", fine, 512).unwrap();
        }
    }

    #[test]
    fn names_too_long_for_github_are_rejected_without_echoing_them() {
        let long = "n".repeat(100_000);
        let err = check_name("packages/x", "package name", &long, MAX_PACKAGE_NAME).unwrap_err();
        assert_eq!(
            err.to_string(),
            "packages/x: the package name is 100000 bytes long; GitHub's names have at most 512"
        );
        assert!(Owner::org("a".repeat(39)).validate("op").is_ok());
        assert!(Owner::org("a".repeat(40)).validate("op").is_err());
    }

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
        assert!(Owner::org("").validate("packages/x").is_err());
    }
}
