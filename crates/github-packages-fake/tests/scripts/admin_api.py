"""Drives the standalone fake from Python's standard library alone, as a
test in another language would: reads the log, moves the clock, injects a
fault, pushes an image with a new tag, moves a tag, and after each step
checks that the REST listing and the registry agree on the tags.

Usage: python3 admin_api.py FAKE_BINARY SEED_FILE
"""

import base64
import json
import subprocess
import sys
import urllib.error
import urllib.request

TOKEN = "ghp_alice_demo"
VERSIONS = "/orgs/acme/packages/container/api/versions"


def call(base, method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request) as answer:
            raw = answer.read()
            return answer.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else None


def rest_tags(base):
    status, versions = call(base, "GET", VERSIONS + "?per_page=100", token=TOKEN)
    assert status == 200, status
    return sorted(t for v in versions for t in v["metadata"]["container"]["tags"])


def registry_tags(base):
    # ghcr.io's forms: a GitHub token as Bearer <base64>, no exchange needed.
    bearer = base64.b64encode(TOKEN.encode()).decode()
    status, listed = call(base, "GET", "/v2/acme/api/tags/list", token=bearer)
    assert status == 200, status
    return sorted(listed["tags"] or [])


def agree(base, step):
    rest, registry = rest_tags(base), registry_tags(base)
    assert rest == registry, f"{step}: REST {rest} != registry {registry}"
    return rest


def main(binary, seed):
    fake = subprocess.Popen(
        [binary, "--seed", seed], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        base = fake.stdout.readline().strip()
        admin = lambda method, path, body=None: call(base, method, "/_fake/" + path, body)
        tags = agree(base, "start")
        assert "latest" in tags, tags

        # The log: the requests so far, tokens by label only.
        status, log = admin("GET", "log")
        assert status == 200 and log, log
        assert TOKEN not in json.dumps(log), "a token value in the log"
        assert admin("DELETE", "log")[0] == 204
        assert admin("GET", "log")[1] == []

        # The clock moves a day ahead and runs faster.
        _, before = admin("GET", "clock")
        status, after = admin("POST", "clock", {"advance_seconds": 86400, "speed": 10.0})
        assert status == 200 and after["speed"] == 10.0 and after["now"] > before["now"], after
        agree(base, "clock")

        # A fault: every answer a 5xx, then none.
        assert admin("PUT", "faults", {"server_errors": 1.0})[0] == 204
        assert call(base, "GET", VERSIONS, token=TOKEN)[0] >= 500
        assert admin("DELETE", "faults")[0] == 204
        agree(base, "faults")

        # Another actor pushes an image with a new tag...
        push = {"change": "push_image", "owner": "acme", "name": "api", "image": {"tags": ["v2.0.0"]}}
        status, pushed = admin("POST", "world", push)
        assert status == 200, pushed
        tags = agree(base, "push")
        assert "v2.0.0" in tags, tags

        # ...and moves `latest` to it.
        move = {"change": "move_tag", "owner": "acme", "name": "api", "tag": "latest", "to": pushed["result"]}
        assert admin("POST", "world", move)[0] == 200
        agree(base, "move")
        _, versions = call(base, "GET", VERSIONS, token=TOKEN)
        newest = [v for v in versions if v["name"] == pushed["result"]][0]
        assert sorted(newest["metadata"]["container"]["tags"]) == ["latest", "v2.0.0"], newest

        # The log saw the script's requests, and nothing of the admin API.
        _, log = admin("GET", "log")
        assert log and all(not entry["path"].startswith("/_fake/") for entry in log), log
        print("ok")
    finally:
        fake.kill()
        fake.wait()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
