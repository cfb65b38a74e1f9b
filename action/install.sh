#!/usr/bin/env bash
# Installs ghpkg for the action (action.yml, step "install").
#
# A release asset for this runner (ghpkg-TARGET, ghpkg-TARGET.exe on
# Windows) is downloaded for the wanted tag and used only if its SHA-256
# matches the release's SHA256SUMS; a mismatch stops the job. Without an
# asset (no release for the ref, a branch or commit, a runner with no
# prebuilt target) ghpkg is built from the action's own checkout, which is
# the same ref, with `cargo install --locked`.
#
# Reads: INPUT_VERSION, GHPKG_ACTION_PATH, GHPKG_ACTION_REPOSITORY,
# GHPKG_ACTION_REF, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_SERVER_URL,
# GITHUB_OUTPUT; GHPKG_RELEASES overrides where releases are downloaded
# from (tests point it at a directory with a file:// URL).
# Writes: the outputs `path` (the binary) and `source` (release or build).
set -euo pipefail

fail() {
    echo "::error title=ghpkg install::$*"
    exit 1
}

action_path="${GHPKG_ACTION_PATH:?GHPKG_ACTION_PATH is not set}"
work="${RUNNER_TEMP:?RUNNER_TEMP is not set}/ghpkg-install"
output="${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
ref="${INPUT_VERSION:-${GHPKG_ACTION_REF:-}}"
repository="${GHPKG_ACTION_REPOSITORY:-}"
mkdir -p "$work"

# The Rust target of the prebuilt binary for this runner, if there is one.
target=""
case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) target=x86_64-unknown-linux-musl ;;
    Linux/ARM64) target=aarch64-unknown-linux-musl ;;
    macOS/X64) target=x86_64-apple-darwin ;;
    macOS/ARM64) target=aarch64-apple-darwin ;;
    Windows/X64) target=x86_64-pc-windows-msvc ;;
esac
exe=""
[ "${RUNNER_OS:-}" = Windows ] && exe=".exe"

sha256() {
    if command -v sha256sum >/dev/null; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

# Downloads URL to FILE; fails quietly (the caller decides what a missing
# file means).
download() {
    if ! curl --fail --silent --show-error --location --retry 3 --output "$2" "$1" 2>"$work/curl.err"; then
        echo "no release asset at $1 ($(head -c 300 "$work/curl.err"))"
        return 1
    fi
}

# Downloads the asset and SHA256SUMS of release $ref from BASE (both from
# the same place).
download_release() {
    download "$1/$ref/SHA256SUMS" "$work/SHA256SUMS" && download "$1/$ref/$asset" "$work/$asset"
}

from_release() {
    # Only a release tag can have assets.
    [[ -n "$target" && "$ref" =~ ^v[0-9][0-9A-Za-z.+-]*$ ]] || return 1
    asset="ghpkg-$target$exe"
    if [ -n "${GHPKG_RELEASES:-}" ]; then
        download_release "$GHPKG_RELEASES" || return 1
    else
        [ -n "$repository" ] || return 1
        # The workflow's server first (a copy of the action on GitHub
        # Enterprise Server may carry its releases), then github.com.
        local server="${GITHUB_SERVER_URL:-https://github.com}"
        download_release "$server/$repository/releases/download" ||
            { [ "$server" != https://github.com ] &&
                download_release "https://github.com/$repository/releases/download"; } ||
            return 1
    fi
    local want got
    want="$(awk -v name="$asset" '$2 == name || $2 == "*" name { print $1; exit }' "$work/SHA256SUMS")"
    got="$(sha256 "$work/$asset")"
    [ -n "$want" ] || fail "the release $ref lists no checksum for $asset; not running an unverified binary"
    [ "$want" = "$got" ] || fail "$asset of release $ref does not match its SHA-256 in SHA256SUMS (want $want, got $got); not running it"
    mkdir -p "$work/bin"
    mv "$work/$asset" "$work/bin/ghpkg$exe"
    chmod +x "$work/bin/ghpkg$exe"
    echo "ghpkg $ref for $target, SHA-256 $got verified"
    echo "source=release" >>"$output"
}

from_source() {
    command -v cargo >/dev/null || fail "no prebuilt ghpkg for ${ref:-this ref} on ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}, and cargo is not installed to build one; add a Rust toolchain step or use a release tag"
    echo "building ghpkg from the action's source (${ref:-local checkout}) with cargo install --locked"
    cargo install --locked --quiet --path "$action_path/crates/ghpkg" --root "$work" ||
        fail "cargo install --locked failed"
    echo "source=build" >>"$output"
}

from_release || from_source
"$work/bin/ghpkg$exe" --version
echo "path=$work/bin/ghpkg$exe" >>"$output"
