"""`fluxpy pull git --url URL ...`: the Git source steps without a cluster.

Pulls a repository the way a GitRepository would (same refs, revision
strings, ignore rules and deterministic artifact) and prints where the
artifact is. For CI jobs and scripts; secrets come from files and
environment variables, never from flags (which `ps` shows).
"""

from pathlib import Path
from typing import Annotated

import typer

from fluxpy.cli.kinds_group import KindGroup
from fluxpy.cli.options import GlobalOptions, with_globals

pull_app = typer.Typer(cls=KindGroup, rich_markup_mode=None, no_args_is_help=True,
                       help="Pull a source without a cluster and store its artifact.")

UrlOpt = Annotated[str, typer.Option("--url", metavar="URL", help="Repository URL: https://, http://, ssh://, git:// or file://.")]
BranchOpt = Annotated[str | None, typer.Option("--branch", metavar="NAME", help="Branch to check out (default master, as Flux).")]
TagOpt = Annotated[str | None, typer.Option("--tag", metavar="TAG", help="Tag to check out.")]
SemverOpt = Annotated[str | None, typer.Option("--semver", metavar="RANGE", help="The highest tag matching this semver range.")]
RefNameOpt = Annotated[str | None, typer.Option("--ref-name", metavar="REF", help="A full ref, e.g. refs/pull/1/head.")]
CommitOpt = Annotated[str | None, typer.Option("--commit", metavar="SHA", help="A full commit hash.")]
IgnoreOpt = Annotated[str | None, typer.Option("--ignore", metavar="PATTERNS", help="Extra ignore rules (gitignore syntax, newline-separated).")]
SubmodulesOpt = Annotated[bool, typer.Option("--recurse-submodules", help="Also check out submodules.")]
NameOpt = Annotated[str, typer.Option("--name", metavar="NAME", help="The artifact's name in the cache (default: the repository name).")]
UsernameOpt = Annotated[str | None, typer.Option("--username", "-u", metavar="USER", help="HTTP basic auth user.")]
PasswordEnvOpt = Annotated[str | None, typer.Option("--password-env", metavar="VAR", help="Environment variable holding the HTTP password.")]
TokenEnvOpt = Annotated[str | None, typer.Option("--token-env", metavar="VAR", help="Environment variable holding a bearer token.")]
CaFileOpt = Annotated[Path | None, typer.Option("--ca-file", metavar="FILE", help="CA bundle to verify the server with.")]
SshKeyOpt = Annotated[Path | None, typer.Option("--private-key-file", metavar="FILE", help="SSH private key.")]
KnownHostsOpt = Annotated[Path | None, typer.Option("--known-hosts-file", metavar="FILE", help="SSH known_hosts (default ~/.ssh/known_hosts).")]
PassphraseEnvOpt = Annotated[str | None, typer.Option("--passphrase-env", metavar="VAR", help="Environment variable holding the SSH key's passphrase.")]
ArtifactsDirOpt = Annotated[Path | None, typer.Option(
    "--artifacts-dir", metavar="DIR", help="Where artifacts are stored (default: $XDG_CACHE_HOME/fluxpy/artifacts).")]


@pull_app.command("git")
@with_globals(output=True)
def git(g: GlobalOptions, url: UrlOpt, branch: BranchOpt = None, tag: TagOpt = None, semver: SemverOpt = None,
        ref_name: RefNameOpt = None, commit: CommitOpt = None, ignore: IgnoreOpt = None,
        recurse_submodules: SubmodulesOpt = False, name: NameOpt = "", username: UsernameOpt = None,
        password_env: PasswordEnvOpt = None, token_env: TokenEnvOpt = None, ca_file: CaFileOpt = None,
        private_key_file: SshKeyOpt = None, known_hosts_file: KnownHostsOpt = None,
        passphrase_env: PassphraseEnvOpt = None, artifacts_dir: ArtifactsDirOpt = None) -> None:
    """Pull a Git repository and store its artifact, as a GitRepository would."""
    from fluxpy.cli.session import terminal
    from fluxpy.pipelines import source
    from fluxpy.render import output, reports
    from fluxpy.render.log import Log
    from fluxpy.render.steps import StepView
    from fluxpy.source import auth
    from fluxpy.source.storage import Storage, default_dir
    from fluxpy.source.types import GitFetchSpec, GitRef

    term = terminal(g)
    creds = auth.from_local(username=username, password_env=password_env, token_env=token_env, ca_file=ca_file,
                            ssh_key=private_key_file, known_hosts=known_hosts_file, passphrase_env=passphrase_env)
    spec = GitFetchSpec(url=url, ref=GitRef(branch, tag, semver, ref_name, commit),
                        recurse_submodules=recurse_submodules, ignore=ignore, timeout=min(g.timeout, 600.0))
    label = name or _repo_name(url)
    storage = Storage(artifacts_dir)
    last = storage.newest(kind="gitrepository", namespace="local", name=label)
    fetched = source.pull_artifact(spec, creds, storage=storage, cache_dir=default_dir().parent,
                                   kind="gitrepository", namespace="local", name=label, last=last,
                                   progress=StepView(term))
    Log(term).success(f"fetched revision {fetched.revision}")
    if g.output.value != "table":
        output.show(term, reports.source(revision=fetched.revision, artifact=fetched.artifact,
                                         unchanged=fetched.unchanged), g.output.value)
    else:
        term.out.write(f"{fetched.artifact.path}\n")


def _repo_name(url: str) -> str:
    """`https://host/org/app.git` -> `app`."""
    tail = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return tail.removesuffix(".git") or "repository"
