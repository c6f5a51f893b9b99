"""Real Git servers on 127.0.0.1 for the Git-source tests, and the repositories they serve.

`repos` builds deterministic repositories with the git CLI; `daemon`
(git://), `http` (smart HTTP(S) with basic/bearer auth and fault hooks) and
`ssh` (a real sshd) serve them; `fixtures` is the pytest plugin that starts
them once per session.
"""
