#!/usr/bin/env bash
# Runs ghpkg as the action's inputs say (action.yml, step "run"): plans
# with the policy and, when execute is true, deletes what the plan
# deletes, with a journal. ghpkg itself writes the job summary, the step
# outputs and the annotations, because GITHUB_ACTIONS is true.
#
# Reads: GHPKG (the binary), the INPUT_* variables action.yml sets,
# GITHUB_REPOSITORY_OWNER, GITHUB_API_URL, RUNNER_TEMP, GITHUB_RUN_ID,
# GITHUB_RUN_ATTEMPT.
set -euo pipefail

fail() {
    echo "::error title=ghpkg::$*"
    exit 2
}

ghpkg="${GHPKG:?GHPKG names no binary; did the install step run?}"
temp="${RUNNER_TEMP:?RUNNER_TEMP is not set}"
run="${GITHUB_RUN_ID:-0}-${GITHUB_RUN_ATTEMPT:-1}"

# The token reaches ghpkg in its environment only, never on a command line.
export GITHUB_TOKEN="${INPUT_TOKEN:-}"
api="${INPUT_API_URL:-${GITHUB_API_URL:-https://api.github.com}}"
api="${api%/}"
export GITHUB_API_URL="$api"

case "${INPUT_EXECUTE:-false}" in
    true) execute=true ;;
    false | "") execute=false ;;
    *) fail "execute must be true or false, not '${INPUT_EXECUTE}'; nothing was deleted" ;;
esac

if [ -n "${INPUT_POLICY:-}" ] && [ -n "${INPUT_POLICY_TOML:-}" ]; then
    fail "give policy or policy-toml, not both; nothing was deleted"
elif [ -n "${INPUT_POLICY:-}" ]; then
    policy="$INPUT_POLICY"
elif [ -n "${INPUT_POLICY_TOML:-}" ]; then
    policy="$temp/ghpkg-policy-$run.toml"
    printf '%s\n' "$INPUT_POLICY_TOML" >"$policy"
else
    fail "a policy is needed: set the input policy (a TOML file) or policy-toml; nothing was deleted"
fi

# An organization or a user: GET /users/LOGIN answers both, with "type"
# (docs/github-behaviour.md, "What other clients call first").
owner="${INPUT_OWNER:-${GITHUB_REPOSITORY_OWNER:-}}"
case "$owner" in
    org:* | user:* | me) ;;
    "") fail "owner is empty; set the input owner (org:NAME, user:NAME or me)" ;;
    *[!A-Za-z0-9-]*) fail "owner '$owner' is not a GitHub login; write org:NAME, user:NAME or me" ;;
    *)
        account="$temp/ghpkg-owner-$run.json"
        auth=()
        [ -n "$GITHUB_TOKEN" ] && auth=(--config -)
        if ! printf 'header = "Authorization: Bearer %s"\n' "$GITHUB_TOKEN" |
            curl --fail --silent --show-error --retry 3 ${auth[@]+"${auth[@]}"} \
                --header "Accept: application/vnd.github+json" \
                --output "$account" "$api/users/$owner"; then
            fail "cannot tell whether $owner is an organization or a user (GET /users/$owner failed); write org:$owner or user:$owner"
        fi
        if grep -Eq '"type"[[:space:]]*:[[:space:]]*"Organization"' "$account"; then
            owner="org:$owner"
        else
            owner="user:$owner"
        fi
        ;;
esac

args=(prune "$owner" --policy "$policy" --save-plan "$temp/ghpkg-plan-$run.json")
[ -n "${INPUT_PACKAGE_TYPE:-}" ] && args+=(--type "$INPUT_PACKAGE_TYPE")
# One pattern per line or comma-separated, blanks ignored.
while IFS= read -r pattern; do
    pattern="${pattern#"${pattern%%[![:space:]]*}"}"
    pattern="${pattern%"${pattern##*[![:space:]]}"}"
    [ -n "$pattern" ] && args+=(--package "$pattern")
done < <(printf '%s\n' "${INPUT_PACKAGES:-}" | tr ',' '\n')
[ -n "${INPUT_REGISTRY_URL:-}" ] && args+=(--registry "$INPUT_REGISTRY_URL")
if [ "$execute" = true ]; then
    args+=(--execute --journal "$temp/ghpkg-journal-$run.jsonl")
fi

echo "ghpkg ${args[*]}"
exec "$ghpkg" "${args[@]}"
