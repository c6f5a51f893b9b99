"""Fixtures for the Git servers' own conformance tests.

The fixtures are defined in `tests/gitserver/fixtures.py`, a pytest plugin
that tests/conftest.py registers for the whole suite. When it is registered,
the plugin module has been imported before this file, and nothing is done
here; otherwise the fixtures are imported so this folder works on its own.
(Importing them unconditionally would define each fixture twice and start a
second copy of every session server.)
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
