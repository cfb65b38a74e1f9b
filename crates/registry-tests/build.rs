//! Sets `cfg(docker_registry)` when Debian's `docker-registry` is
//! installed, so that without it the tests show as ignored, with the
//! reason, rather than as passed. With `CI=true` they are never ignored:
//! CI installs the package and must run them.

const BINARY: &str = "/usr/bin/docker-registry";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(docker_registry)");
    println!("cargo::rerun-if-env-changed=CI");
    // Installing or removing the package changes the directory.
    println!("cargo::rerun-if-changed=/usr/bin");
    let ci = std::env::var("CI").is_ok_and(|ci| ci == "true");
    if ci || std::path::Path::new(BINARY).exists() {
        println!("cargo::rustc-cfg=docker_registry");
    }
}
