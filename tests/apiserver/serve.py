"""Serve the API emulator for a command, seeded with objects from YAML files.

    python -m tests.apiserver.serve [--seed DIR_OR_FILE]... [--git NAMESPACE/NAME=DIR]... \
        [--registry REPO=TAG,TAG,...]... -- COMMAND [ARGS]... [-- COMMAND [ARGS]...]...

Starts the emulator with the Flux CRDs installed, stores every object found in
the seed files (status included, as a recording of a cluster), runs COMMAND
with KUBECONFIG pointing at the emulator, then stops. Each `--` separates
another command run against the same emulator. The exit code is the first
non-zero one. Used by examples/demo.sh and bench/.

`--git NAMESPACE/NAME=DIR` gives the GitRepository NAMESPACE/NAME something
real to fetch: DIR is committed to a throwaway repository (unless it is one
already), served over HTTP by the test suite's `git http-backend` server
(`tests.gitserver.http`), and the GitRepository's `spec.url` is set to it
after seeding, the object being created (branch `main`, interval 1m0s) when
the seed files have none. The commands also get the URL of the first `--git`
as `FLUXPY_DEMO_GIT_URL`. Commits use the test suite's fixed author and date,
so the same DIR always gives the same revision.

`--registry REPO=TAG,TAG,...` gives ImageRepositories something real to scan:
one plain-HTTP, anonymous `docker-registry` (`tests.registry.server`) is
started for the run, and the tags are pushed to REPO (all tags share one tiny
manifest). Its `127.0.0.1:PORT` is in the commands' `FLUXPY_DEMO_REGISTRY`,
and the literal `${FLUXPY_DEMO_REGISTRY}` is replaced by it in the seeded
objects' string values and in the files of each `--git` DIR before they are
committed, so example manifests can name the registry (a DIR that is a
repository already is served as it is, unchanged). The port changes from run
to run, and so does the revision of a DIR that names it. Without `--registry`
nothing is replaced.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.apiserver import ApiServer
from tests.gitserver import repos
from tests.gitserver.http import GitHttpServer
from tests.registry import client as registry_client
from tests.registry.server import RegistryServer

GIT_REPOSITORY_API = "source.toolkit.fluxcd.io/v1"
GIT_URL_VARIABLE = "FLUXPY_DEMO_GIT_URL"
REGISTRY_VARIABLE = "FLUXPY_DEMO_REGISTRY"

# The distribution spec's grammar for repository names and tags.
_REPO_NAME = re.compile(r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")


@dataclass(frozen=True, slots=True)
class GitSource:
    """One `--git NAMESPACE/NAME=DIR`: the GitRepository to point at DIR, served over HTTP."""

    namespace: str
    name: str
    path: Path


def parse_git_source(value: str) -> GitSource:
    """Parse `NAMESPACE/NAME=DIR` (an argparse `type`); DIR must be a directory."""
    ref, sep, directory = value.partition("=")
    namespace, slash, name = ref.partition("/")
    if not (sep and slash and namespace and name and directory) or "/" in name:
        raise argparse.ArgumentTypeError(f"expected NAMESPACE/NAME=DIR, e.g. flux-system/flux-system=fleet, "
                                         f"got {value!r}")
    path = Path(directory)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{directory!r} is not a directory")
    return GitSource(namespace, name, path)


@dataclass(frozen=True, slots=True)
class RegistryImage:
    """One `--registry REPO=TAG,TAG,...`: a repository to push, with its tags."""

    repo: str
    tags: tuple[str, ...]


def parse_registry_image(value: str) -> RegistryImage:
    """Parse `REPO=TAG,TAG,...` (an argparse `type`); names and tags as the distribution spec allows."""
    repo, sep, tag_list = value.partition("=")
    tags = tuple(tag_list.split(",")) if tag_list else ()
    if not (sep and _REPO_NAME.fullmatch(repo) and tags and all(_TAG.fullmatch(t) for t in tags)):
        raise argparse.ArgumentTypeError(f"expected REPO=TAG,TAG,..., e.g. stefanprodan/podinfo=6.5.0,6.5.3, "
                                         f"got {value!r}")
    return RegistryImage(repo, tags)


def substituted(value: Any, variables: Mapping[str, str]) -> Any:
    """`value` (a decoded YAML document) with each `${NAME}` of `variables` replaced in its strings."""
    if isinstance(value, str):
        for name, replacement in variables.items():
            value = value.replace("${" + name + "}", replacement)
        return value
    if isinstance(value, dict):
        return {key: substituted(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [substituted(item, variables) for item in value]
    return value


def substitute_files(root: Path, variables: Mapping[str, str]) -> None:
    """Replace each `${NAME}` of `variables` in the regular files under `root` (symlinks left alone)."""
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        data = original = path.read_bytes()
        for name, replacement in variables.items():
            data = data.replace(("${" + name + "}").encode(), replacement.encode())
        if data != original:
            path.write_bytes(data)


def seed_objects(paths: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Every object in the YAML files at `paths` (files, or folders read in name order)."""
    for entry in paths:
        path = Path(entry)
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")) if path.is_dir() else [path]
        for file in files:
            for doc in yaml.safe_load_all(file.read_text()):
                if isinstance(doc, dict) and doc.get("kind"):
                    yield doc


def split_commands(argv: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """Options before the first `--`, then one argument list per command."""
    parts: list[list[str]] = [[]]
    for arg in argv:
        if arg == "--":
            parts.append([])
        else:
            parts[-1].append(arg)
    return parts[0], [p for p in parts[1:] if p]


def is_repository(path: Path) -> bool:
    """Whether `path` is itself a Git repository (a work tree's top or a bare one).

    A folder inside some other repository's work tree (examples/fleet inside
    this one) is not: serving it means committing just its own files.
    """
    return (path / ".git").exists() or ((path / "HEAD").is_file() and (path / "objects").is_dir())


def committed(path: Path, work: Path, *, variables: Mapping[str, str] | None = None) -> tuple[Path, str]:
    """A repository holding `path`'s files, and the branch to fetch.

    Args:
        path: a directory of files, or a repository (used as it is).
        work: where to make the throwaway repository.
        variables: `${NAME}` placeholders to replace in the copied files
            before committing them (not in a repository used as it is).

    Returns:
        The repository's path and its branch: the current one of an existing
        repository, `main` for a new one.
    """
    if is_repository(path):
        return path, repos.git("symbolic-ref", "--short", "HEAD", cwd=path)
    dest = work / path.resolve().name
    shutil.copytree(path, dest, symlinks=True)
    substitute_files(dest, variables or {})
    repos.git("init", "--quiet", "--initial-branch", "main", str(dest))
    repos.Repo(dest, "main").commit(message=f"Add {path.resolve().name}")
    return dest, "main"


def point_git_repository(srv: ApiServer, source: GitSource, *, url: str, branch: str) -> None:
    """Set `spec.url` of the GitRepository `source` names, creating it (and its namespace) if absent."""
    if srv.object("v1", "Namespace", None, source.namespace) is None:
        srv.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": source.namespace}})
    obj = srv.object(GIT_REPOSITORY_API, "GitRepository", source.namespace, source.name)
    if obj is None:
        obj = {"apiVersion": GIT_REPOSITORY_API, "kind": "GitRepository",
               "metadata": {"name": source.name, "namespace": source.namespace},
               "spec": {"interval": "1m0s", "ref": {"branch": branch}}}
    obj["spec"]["url"] = url
    srv.seed(obj)


def start_registry(root: Path, images: Sequence[RegistryImage]) -> RegistryServer:
    """Start a plain-HTTP registry without authentication under `root` and push `images` to it."""
    registry = RegistryServer(root)
    registry.start()
    try:
        for image in images:
            registry_client.push(registry, image.repo, image.tags)
    except BaseException:
        registry.stop()
        raise
    return registry


def command_env(kubeconfig: Path, git_urls: Sequence[str], *, registry: str | None = None) -> dict[str, str]:
    """The commands' environment: the emulator's kubeconfig, the first served Git URL, the registry's host."""
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    if git_urls:
        env[GIT_URL_VARIABLE] = git_urls[0]
    if registry is not None:
        env[REGISTRY_VARIABLE] = registry
    # The servers listen on 127.0.0.1; a proxy configured for the outside
    # world (git and the kubernetes client both honour *_proxy) cannot reach them.
    for name in ("NO_PROXY", "no_proxy"):
        env[name] = ",".join(filter(None, (env.get(name), "127.0.0.1,localhost")))
    return env


def run_commands(commands: Sequence[Sequence[str]], env: Mapping[str, str], *, echo: bool) -> int:
    """Run each command in turn; the first non-zero exit code, or 0."""
    code = 0
    for command in commands:
        if echo:
            print(f"$ {shlex.join(command)}", flush=True)
        result = subprocess.run(command, env=env, check=False).returncode
        code = code or result
        if echo:
            print(flush=True)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    opts, commands = split_commands(list(sys.argv[1:] if argv is None else argv))
    parser = argparse.ArgumentParser(prog="python -m tests.apiserver.serve")
    parser.add_argument("--seed", action="append", default=[], help="YAML file or folder of objects to store")
    parser.add_argument("--git", action="append", default=[], type=parse_git_source, metavar="NAMESPACE/NAME=DIR",
                        help="commit DIR, serve it over HTTP and point the GitRepository NAMESPACE/NAME at it")
    parser.add_argument("--registry", action="append", default=[], type=parse_registry_image,
                        metavar="REPO=TAG,TAG,...",
                        help="serve a registry with these tags pushed; its host is $FLUXPY_DEMO_REGISTRY")
    parser.add_argument("--echo", action="store_true", help="print each command before running it")
    args = parser.parse_args(opts)
    with tempfile.TemporaryDirectory(prefix="fluxpy-emulator-") as tmp:
        srv = ApiServer(Path(tmp) / "apiserver")
        git_server = GitHttpServer(Path(tmp) / "git-served")
        registry: RegistryServer | None = None
        srv.start()
        try:
            if args.git:
                git_server.start()
            variables: dict[str, str] = {}
            if args.registry:
                registry = start_registry(Path(tmp) / "registry", args.registry)
                variables[REGISTRY_VARIABLE] = registry.host
            srv.install_flux_crds()
            for ns in ("default", "kube-system", "flux-system"):
                if srv.object("v1", "Namespace", None, ns) is None:
                    srv.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
            for obj in seed_objects(args.seed):
                srv.seed(substituted(obj, variables))
            urls: list[str] = []
            for i, source in enumerate(args.git):
                repo, branch = committed(source.path, Path(tmp) / "git-work" / str(i), variables=variables)
                urls.append(git_server.publish(repo))
                point_git_repository(srv, source, url=urls[-1], branch=branch)
            env = command_env(srv.kubeconfig, urls, registry=registry.host if registry else None)
            return run_commands(commands, env, echo=args.echo)
        finally:
            if registry is not None:
                registry.stop()
            git_server.stop()
            srv.stop()


if __name__ == "__main__":
    raise SystemExit(main())
