//! The token never shows in `Debug` output or error messages. (Errors from
//! answers are checked in `errors.rs`, logs in `retries.rs`.)

use github_packages::{Client, Owner, PackageType};

use crate::support::{Harness, TOKEN, assert_no_token};

#[tokio::test]
async fn debug_output_of_the_client_and_its_builder_hides_the_token() {
    let harness = Harness::new().await;
    let shown = format!("{:?}", harness.client);
    assert_no_token(&shown);
    assert!(shown.contains("token: \"[redacted]\""), "{shown}");
    assert!(shown.contains(&harness.server.uri()), "{shown}");

    let builder = Client::builder()
        .token(TOKEN)
        .base_url("https://ghe.example.com");
    assert_no_token(&format!("{builder:?}"));
    assert_no_token(&format!("{builder:#?}"));
}

#[tokio::test]
async fn handles_and_restore_requests_hide_the_token_and_the_package_token() {
    let harness = Harness::new().await;
    let package = harness
        .client
        .packages(Owner::org("acme"))
        .package(PackageType::Npm, "p");
    assert_no_token(&format!("{package:?}"));
    let restore = package.restore().token("package-secret-value");
    let shown = format!("{restore:?}");
    assert_no_token(&shown);
    assert!(!shown.contains("package-secret-value"), "{shown}");
}

#[test]
fn configuration_errors_do_not_echo_the_token() {
    let (head, tail) = TOKEN.split_at(12);
    for bad in [
        format!("{head}\n{tail}"),
        format!("{head}\u{7f}{tail}"),
        format!("{head}\r\n{tail}"),
    ] {
        let error = Client::builder().token(bad).build().unwrap_err();
        assert_no_token(&error.to_string());
        assert_no_token(&format!("{error:?}"));
    }
}
