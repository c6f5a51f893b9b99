"""`fluxpy image update` and `fluxpy reconcile image repository|policy|update`.

With a cluster, the ImageRepositories, ImagePolicies and
ImageUpdateAutomations are read from it and their statuses and Events are
written back, as the image controllers do. With `--local` (or `-f`), nothing
touches a cluster: the objects come from the YAML files of the repository
being updated (`--repo`, default the current directory) and the `-f` files,
registry credentials from the docker config, Git credentials from flags and
environment variables, and the commit is made in that checkout itself.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fluxpy.cli.kinds_group import KindGroup
from fluxpy.cli.options import GlobalOptions, with_globals
from fluxpy.errors import FluxpyError, UsageError

if TYPE_CHECKING:
    from fluxpy.image.dockerconfig import DockerConfig
    from fluxpy.image.store import Store
    from fluxpy.pipelines.image_update import AutomationReport, Options, Report, Run
    from fluxpy.render.log import Log

NameArg = Annotated[str | None, typer.Argument(metavar="NAME", help="The ImageUpdateAutomation's name.",
                                               show_default=False)]
AllOpt = Annotated[bool, typer.Option("--all", help="Every ImageUpdateAutomation in the namespace (-A: everywhere).")]
LocalOpt = Annotated[bool, typer.Option("--local", help="No cluster: read the objects from YAML files in --repo "
                                                        "and -f, and commit in --repo.")]
RepoOpt = Annotated[Path | None, typer.Option("--repo", metavar="DIR", help="With --local: the checkout to update "
                                                                           "(default: the current directory).")]
FileOpt = Annotated[list[Path] | None, typer.Option("--file", "-f", metavar="FILE", help="A YAML file (or "
                    "directory) holding ImageRepository/ImagePolicy/ImageUpdateAutomation objects; implies --local.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Pick the tags and print the diff; commit nothing, "
                                                           "write no status.")]
NoPushOpt = Annotated[bool, typer.Option("--no-push", help="Commit, but do not push.")]
InsecureOpt = Annotated[bool, typer.Option("--insecure", help="Allow registries over plain HTTP.")]
DockerConfigOpt = Annotated[Path | None, typer.Option(
    "--docker-config", metavar="FILE", help="Registry credentials (default: $DOCKER_CONFIG/config.json or "
                                            "~/.docker/config.json).")]
UsernameOpt = Annotated[str | None, typer.Option("--git-username", metavar="USER", help="Git HTTP user (--local).")]
PasswordEnvOpt = Annotated[str | None, typer.Option("--git-password-env", metavar="VAR",
                                                    help="Environment variable holding the Git HTTP password.")]
TokenEnvOpt = Annotated[str | None, typer.Option("--git-token-env", metavar="VAR",
                                                 help="Environment variable holding a Git bearer token.")]
SshKeyOpt = Annotated[Path | None, typer.Option("--git-private-key-file", metavar="FILE", help="SSH key for Git.")]
KnownHostsOpt = Annotated[Path | None, typer.Option("--git-known-hosts-file", metavar="FILE",
                                                    help="known_hosts for Git over SSH.")]
ObjectNameArg = Annotated[str, typer.Argument(metavar="NAME", help="The object's name.", show_default=False)]

image_app = typer.Typer(cls=KindGroup, rich_markup_mode=None, no_args_is_help=True,
                        help="Image automation: scan registries, pick tags, update Git.")
reconcile_images = typer.Typer(cls=KindGroup, rich_markup_mode=None, no_args_is_help=True,
                               help="Reconcile image automation objects.")


@image_app.command("update")
@with_globals(all_namespaces=True, output=True)
def update(g: GlobalOptions, name: NameArg = None, all_: AllOpt = False, local: LocalOpt = False,
           repo: RepoOpt = None, file: FileOpt = None, dry_run: DryRunOpt = False, no_push: NoPushOpt = False,
           insecure: InsecureOpt = False, docker_config: DockerConfigOpt = None, git_username: UsernameOpt = None,
           git_password_env: PasswordEnvOpt = None, git_token_env: TokenEnvOpt = None,
           git_private_key_file: SshKeyOpt = None, git_known_hosts_file: KnownHostsOpt = None) -> None:
    """Scan the registries, resolve the policies and update Git for ImageUpdateAutomations."""
    from fluxpy.image.store import ClusterStore, FileStore
    from fluxpy.pipelines import image_update
    from fluxpy.source import auth

    if all_ and name:
        raise UsageError("give an ImageUpdateAutomation name or --all, not both")
    if not all_ and not name:
        raise UsageError("name the ImageUpdateAutomation to run, or pass --all")
    local = local or bool(file)
    if repo is not None and not local:
        raise UsageError("--repo needs --local")
    store: Store
    repo_dir = None
    if local:
        repo_dir = (repo or Path.cwd()).resolve()
        if not repo_dir.is_dir():
            raise UsageError(f"--repo {repo_dir}: not a directory")
        store = FileStore.from_paths([repo_dir, *(file or [])], default_namespace=g.namespace)
    else:
        from fluxpy.cli.session import connect

        store = ClusterStore(connect(g))
    options = image_update.Options(
        dry_run=dry_run, no_push=no_push, insecure=insecure, docker_config=_docker_config(docker_config),
        git_auth=auth.from_local(username=git_username, password_env=git_password_env, token_env=git_token_env,
                                 ssh_key=git_private_key_file, known_hosts=git_known_hosts_file),
        repo_dir=repo_dir, timeout=min(g.timeout, 300.0))
    namespace = None if (all_ and g.all_namespaces) else g.namespace
    targets = image_update.automations(store, [name] if name else [], namespace=namespace, every=all_)
    run_automations(g, store, options, targets)


def _docker_config(path: Path | None) -> DockerConfig | None:
    from fluxpy.image.dockerconfig import DockerConfig

    if path is not None:
        return DockerConfig.from_file(path)
    return DockerConfig.default(os.environ)


def run_automations(g: GlobalOptions, store: Store, options: Options, targets: Sequence[tuple[str, str]]) -> None:
    """Run each automation, print progress, the diff (dry run) and the report; exit 1 on any failure."""
    from fluxpy.cli.session import terminal
    from fluxpy.pipelines import image_update
    from fluxpy.render import output
    from fluxpy.render.log import Log
    from fluxpy.render.steps import StepView

    term = terminal(g)
    log = Log(term)
    run = image_update.Run(store, options=options, progress=StepView(term))
    for namespace, name in targets:
        log.action(f"updating ImageUpdateAutomation {name} in {namespace} namespace"
                   + (" (dry run)" if options.dry_run else ""))
        try:
            report = run.automation(namespace, name)
        except image_update.ImageUpdateError as err:
            if err.reason == "Suspended":
                if len(targets) == 1:
                    raise
                log.warning(f"skipping ImageUpdateAutomation {namespace}/{name}: resource is suspended")
            continue
        _final(log, report, options)
        if report.diff and g.output.value == "table":
            term.out.write(report.diff)
    if g.output.value != "table":
        output.show(term, _report_dict(run.report), g.output.value)
    _raise_errors(log, run.report)


def _final(log: Log, report: AutomationReport, options: Options) -> None:
    if options.dry_run:
        log.success(f"dry run: {len(report.files)} files would change" if report.files else "dry run: no change")
    elif report.commit and report.pushed:
        log.success(f"pushed commit '{report.commit[:7]}' to branch '{report.branch}'")
    elif report.commit:
        log.success(f"committed '{report.commit[:7]}' on branch '{report.branch}' (not pushed)")
    else:
        log.success("repository up-to-date")


def _raise_errors(log: Log, report: Report) -> None:
    errors = report.errors
    if not errors:
        return
    for line in errors[:-1]:
        log.failure(line)
    raise FluxpyError(errors[-1], hint="see the lines above" if len(errors) > 1 else None)


def _report_dict(report: Report) -> dict[str, object]:
    return {"dryRun": report.dry_run,
            "policies": [{"policy": p.policy, "image": p.image, "tag": p.tag, "digest": p.digest,
                          "previous": p.previous, "error": p.error} for p in report.policies],
            "automations": [{"automation": a.automation, "files": a.files, "changes": a.changes,
                             "commit": a.commit, "branch": a.branch, "pushed": a.pushed, "message": a.message,
                             "unknownMarkers": a.unknown_markers, "problems": a.problems, "diff": a.diff,
                             "error": a.error} for a in report.automations]}


def _cluster_run(g: GlobalOptions) -> tuple[Run, Log]:
    from fluxpy.cli.session import connect, terminal
    from fluxpy.image.store import ClusterStore
    from fluxpy.pipelines import image_update
    from fluxpy.render.log import Log
    from fluxpy.render.steps import StepView

    term = terminal(g)
    store = ClusterStore(connect(g))
    options = image_update.Options(timeout=min(g.timeout, 300.0))
    return image_update.Run(store, options=options, progress=StepView(term)), Log(term)


@reconcile_images.command("repository")
@with_globals()
def reconcile_repository(g: GlobalOptions, name: ObjectNameArg) -> None:
    """Scan an ImageRepository's registry now and record its tags."""
    run, log = _cluster_run(g)
    log.action(f"reconciling ImageRepository {name} in {g.namespace} namespace")
    tags = run.tags(g.namespace, name)
    log.success(f"scan fetched {len(tags)} tags")


@reconcile_images.command("policy")
@with_globals()
def reconcile_policy(g: GlobalOptions, name: ObjectNameArg) -> None:
    """Resolve an ImagePolicy now (scanning its ImageRepository first)."""
    run, log = _cluster_run(g)
    log.action(f"reconciling ImagePolicy {name} in {g.namespace} namespace")
    ref = run.policy(g.namespace, name)
    log.success(f"selected ref {ref}")


@reconcile_images.command("update")
@with_globals(output=True)
def reconcile_update(g: GlobalOptions, name: ObjectNameArg) -> None:
    """Run an ImageUpdateAutomation now: scan, resolve its policies, update Git."""
    from fluxpy.cli.session import connect
    from fluxpy.image.store import ClusterStore
    from fluxpy.pipelines import image_update

    store = ClusterStore(connect(g))
    run_automations(g, store, image_update.Options(timeout=min(g.timeout, 300.0)), [(g.namespace, name)])
