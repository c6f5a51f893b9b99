"""Fixtures for the Git source tests: the real Git servers of `tests/gitserver`.

The servers are a pytest plugin (`tests.gitserver.fixtures`). Until the root
conftest registers it for the whole suite, its fixtures are imported here so
this folder runs on its own; once registered, the plugin module is already
imported and nothing is done (importing twice would start every session
server twice). pytest forbids `pytest_plugins` in a non-root conftest.
"""

from __future__ import annotations

import sys

if "tests.gitserver.fixtures" not in sys.modules:
    from tests.gitserver.fixtures import (  # noqa: F401
        _git_daemon_session,
        _git_http_basic_session,
        _git_http_bearer_session,
        _git_http_session,
        _git_https_session,
        _git_sshd_session,
        git_daemon,
        git_http,
        git_http_basic,
        git_http_bearer,
        git_https,
        git_server_certs,
        git_sshd,
    )
