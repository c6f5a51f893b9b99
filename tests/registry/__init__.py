"""A real OCI registry on 127.0.0.1 for the image-automation tests, and helpers to fill it.

`server` runs Debian's `docker-registry` (CNCF distribution 2.8) with no
auth, htpasswd or token auth, over HTTP or HTTPS; `tokenserver` is the token
realm for the token-auth instance; `proxy` sits in front of a registry to
paginate tag lists and inject faults; `client` pushes images and tags
through the registry API; `fixtures` is the pytest plugin that starts them
once per session.
"""
