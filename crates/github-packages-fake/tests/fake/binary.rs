//! The standalone binary, started from the example seed.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::http;

/// Kills the child when the test ends, pass or fail.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_serves_the_example_seed_and_prints_its_url() {
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/seed.example.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_github-packages-fake"))
        .args(["--seed", seed])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let url = BufReader::new(stdout).lines().next().unwrap().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let answer = http()
        .get(format!("{url}/orgs/acme/packages?package_type=container"))
        .bearer_auth("ghp_alice_demo")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let packages: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(packages[0]["name"], "api");
    drop(running);
}

#[test]
fn a_bad_seed_is_one_line_and_a_failure() {
    let output = Command::new(env!("CARGO_BIN_EXE_github-packages-fake"))
        .args(["--seed", "/nonexistent/seed.toml"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("error: cannot read /nonexistent/seed.toml"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
}

/// A script in another language drives the binary through the admin API
/// (`tests/scripts/admin_api.py`, Python's standard library only): the
/// log, the clock, a fault, a push with a new tag, a moved tag, and the
/// REST listing and the registry agreeing after each step.
#[test]
fn a_python_script_drives_the_binary_through_the_admin_api() {
    let Ok(python) = Command::new("python3").arg("--version").output() else {
        eprintln!("SKIPPED: python3 is not installed; the admin API script did not run");
        return;
    };
    assert!(python.status.success());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scripts/admin_api.py");
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/seed.example.toml");
    let output = Command::new("python3")
        .args([script, env!("CARGO_BIN_EXE_github-packages-fake"), seed])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "ok");
}
