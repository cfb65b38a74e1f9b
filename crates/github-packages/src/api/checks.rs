//! Every check made before a request is sent: a request that fails one
//! is refused with [`Error::InvalidArgument`] and never reaches the
//! network (names that would change the URL or that GitHub cannot hold,
//! ids and pages out of range, enum values GitHub does not document, a
//! restore token of the wrong size).

use generated::types as raw;

use crate::api::paging::{MAX_PER_PAGE, PerPage};
use crate::error::Error;
use crate::model::enums::{PackageType, ParseEnumError};
use crate::model::owner::Owner;

/// Checks the login before anything is sent.
pub(crate) fn owner(operation: &'static str, owner: &Owner) -> Result<(), Error> {
    match owner {
        Owner::Org(login) => check_name(operation, "organization login", login, MAX_LOGIN),
        Owner::User(login) => check_name(operation, "user login", login, MAX_LOGIN),
        Owner::AuthenticatedUser => Ok(()),
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

/// A documented enum value as the generated type; `Other` cannot be sent.
pub(crate) fn documented<R>(
    operation: &'static str,
    value: Result<R, ParseEnumError>,
) -> Result<R, Error> {
    value.map_err(|e| Error::InvalidArgument {
        operation,
        message: format!("{e}; GitHub accepts only documented values"),
    })
}

/// The checks every single-package request shares.
pub(crate) fn checked_package(
    operation: &'static str,
    package_type: &PackageType,
    name: &str,
) -> Result<raw::PackageType, Error> {
    check_name(operation, "package name", name, MAX_PACKAGE_NAME)?;
    documented(operation, package_type.to_raw())
}

/// The checks every single-version request shares.
pub(crate) fn checked_version(
    operation: &'static str,
    package_type: &PackageType,
    name: &str,
    id: i64,
) -> Result<(raw::PackageType, i64), Error> {
    Ok((
        checked_package(operation, package_type, name)?,
        version_id(operation, id)?,
    ))
}

/// The most bytes of a restore token sent; package tokens are short, so a
/// longer one is a mistake (and would make a huge URL).
const MAX_RESTORE_TOKEN: usize = 1024;

pub(crate) fn restore_token(operation: &'static str, token: Option<&str>) -> Result<(), Error> {
    match token {
        Some(token) if token.is_empty() || token.len() > MAX_RESTORE_TOKEN => {
            // Not echoed: it is a secret.
            Err(Error::InvalidArgument {
                operation,
                message: format!(
                    "the restore token must be 1 to {MAX_RESTORE_TOKEN} bytes long, got {}",
                    token.len()
                ),
            })
        }
        _ => Ok(()),
    }
}

pub(crate) fn version_id(operation: &'static str, id: i64) -> Result<i64, Error> {
    if id < 1 {
        return Err(Error::InvalidArgument {
            operation,
            message: format!("package version ids are positive, got {id}"),
        });
    }
    Ok(id)
}

pub(crate) fn page_number(
    operation: &'static str,
    page: Option<u32>,
) -> Result<Option<i64>, Error> {
    match page {
        Some(0) => Err(Error::InvalidArgument {
            operation,
            message: "pages are numbered from 1, got 0".to_owned(),
        }),
        page => Ok(page.map(i64::from)),
    }
}

pub(crate) fn page_size(operation: &'static str, per_page: PerPage) -> Result<Option<i64>, Error> {
    match per_page {
        PerPage::Default => Ok(None),
        PerPage::Max => Ok(Some(i64::from(MAX_PER_PAGE))),
        PerPage::Exactly(n @ 1..=MAX_PER_PAGE) => Ok(Some(i64::from(n))),
        PerPage::Exactly(n) => Err(Error::InvalidArgument {
            operation,
            message: format!("per_page must be between 1 and {MAX_PER_PAGE}, got {n}"),
        }),
    }
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
        assert!(owner("op", &Owner::org("a".repeat(39))).is_ok());
        assert!(owner("op", &Owner::org("a".repeat(40))).is_err());
        assert!(owner("packages/x", &Owner::org("")).is_err());
    }
}
