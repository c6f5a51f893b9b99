"""Step "commit and push" of image automation: one commit for the update, pushed, retried on a race.

Last step of the image pipeline (scan -> policies -> setters update -> commit
and push). It runs in the working clone `checkout.py` made, after the
setters update changed files there, and returns a `PushResult` whose values
become the ImageUpdateAutomation's `status.lastPushCommit`/`lastPushTime`
and the push event's text (`PushResult.summary`).

What it does, and the Flux behaviour it follows (image-automation-controller
`internal/source/source.go` `CommitAndPush`, `internal/source/git.go`,
`internal/features/features.go`; fluxcd/pkg `git/gogit/client.go` `Commit`
and `Push`; go-git's push options):

- **Nothing to change, no commit.** Every change in the work tree is staged
  (`git add --all`); when the tree equals HEAD's, nothing is committed or
  pushed and the result is None.
- **The commit.** Author and committer are both `spec.git.commit.author`
  (go-git uses the author as committer when none is given) with one
  timestamp, the time of the commit, written in UTC. The message is stored
  byte for byte (no trailing newline added). The commit object is built
  here and written with GitPython's object database, so no `git commit`
  runs: no hooks and none of the user's config (signing, templates).
- **Signing** (`spec.git.commit.signingKey`): `type: gpg` (the default)
  imports the armored key (`git.asc`, with `passphrase` if it is protected)
  into a private GnuPG home under `/dev/shm`, with passphrase caching off,
  and signs with `gpg --detach-sign`; the key and passphrase travel on
  stdin. `type: ssh` signs with `ssh-keygen -Y sign -n git` using
  `identity` (OpenSSH format) and `password`, the passphrase reaching
  ssh-keygen through an askpass script that prints a variable of its own
  environment. Either way the signature goes into the `gpgsig` header, and
  `git verify-commit` accepts it. The key is checked before anything is
  committed (a probe signature), so a wrong passphrase fails first.
- **Where it is pushed.** `refs/heads/<local branch>:refs/heads/<push
  branch>`; the push branch defaults to the branch the clone is on. When it
  differs from the checkout ref's branch, the push is forced (feature gate
  `GitForcePushBranch`, on by default; `force_push_branch=False` turns it
  off). `push.refspec` is pushed afterwards in a second push, never forced
  (deletions `:dst` and forced `+src:dst` refspecs are refused, as Flux
  documents). `push.options` are sent as `key=value` push options, sorted;
  a server that does not advertise push options gets the push without
  them, as go-git silently drops them.
- **Races** (beyond Flux, which fails and tries again at the next
  interval): when `git push --porcelain` reports the push branch rejected
  because the remote moved (`[rejected] (fetch first)` or
  `(non-fast-forward)`, or a server-side lock race), the branch's new head
  is fetched, the clone reset to it, `redo(workdir)` re-applies the update,
  and the commit and push are made again, at most `max_attempts` pushes in
  all. Any other rejection (a hook declined, a protected branch) or a
  transport failure (credentials, network) is a `PushError` at once: one
  line naming the branch, the URL without credentials and the server's own
  reason.
- **Nothing half-done locally.** On any failure the clone is put back as
  the caller left it: the branch at its original commit and the work tree
  holding the update, uncommitted.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, Literal, Protocol

from git import Repo
from gitdb.base import IStream  # type: ignore[import-untyped]  # gitdb (GitPython's object store) ships no types

from fluxpy.image import checkout as gitcheckout
from fluxpy.image import events
from fluxpy.models.gitref import DEFAULT_BRANCH, hash_revision
from fluxpy.source import auth as gitauth
from fluxpy.source.errors import GIT_OPERATION_FAILED, GitError

__all__ = ["PushError", "PushResult", "SigningError", "SigningKey", "commit_and_push", "signing_key_from_secret"]

SOURCE_MANAGER_FAILED = gitcheckout.SOURCE_MANAGER_FAILED
HEADS = "refs/heads/"
SIGNING_NAMESPACE = "git"
_PASSPHRASE_ENV = "FLUXPY_SIGNING_PASSPHRASE"
_ASKPASS_SCRIPT = f'#!/bin/sh\nprintf \'%s\\n\' "${_PASSPHRASE_ENV}"\n'
_PROBE = b"fluxpy signing key check\n"
_SIGN_TIMEOUT = 60.0
_PORCELAIN = re.compile(r"^(?P<flag>[ +\-*=!])\t(?P<src>[^\t]*):(?P<dst>[^\t]*)\t(?P<summary>.*)$")
_RACE_REASONS = ("non-fast-forward", "fetch first")
_LOCK_RACE = ("cannot lock ref", "failed to lock", "incorrect old value", "but expected")


# --- errors -------------------------------------------------------------------------------------

class PushError(GitError):
    """Committing or pushing the update failed.

    One line naming the branch and the repository URL (never with
    credentials) and the server's reason. `reason` is the condition reason
    image-automation-controller records: `GitOperationFailed`, or
    `AuthenticationFailed` for refused credentials.
    """


class SigningError(GitError):
    """The signing key cannot be used (missing key, several keys, wrong passphrase, gpg missing).

    `reason` is `SourceManagerFailed`, as image-automation-controller
    reports a signing-key Secret it cannot read.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, reason=SOURCE_MANAGER_FAILED, hint=hint)


# --- values -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, repr=False)
class SigningKey:
    """`spec.git.commit.signingKey`: the key commits are signed with (kept in memory).

    Args:
        key: the armored OpenPGP private key (`git.asc`) for `type="gpg"`, or
            the OpenSSH private key (`identity`) for `type="ssh"`.
        passphrase: the key's passphrase (`passphrase`, or `password` for ssh), or None.
        type: `gpg` (Flux's default) or `ssh`.
        source: where the key came from, for messages (`Secret ns/name`, a file).
    """

    key: bytes
    passphrase: str | None = None
    type: Literal["gpg", "ssh"] = "gpg"
    source: str = "the signing key"

    def __repr__(self) -> str:
        return f"SigningKey(type={self.type!r}, source={self.source!r})"


@dataclass(frozen=True, slots=True)
class PushResult:
    """A pushed (or, with `no_push`, committed) update.

    Args:
        commit: the full hash of the new commit (`status.lastPushCommit`).
        branch: the branch it was pushed to.
        message: the commit message.
        time: when the push finished, UTC (`status.lastPushTime`).
        refspecs: `push.refspec`, when it was pushed too.
        attempts: pushes made (more than 1 after races).
        pushed: False when the commit was only made locally (`no_push`).
        switched: the push branch differs from the checkout branch.
    """

    commit: str
    branch: str
    message: str
    time: datetime
    refspecs: tuple[str, ...] = ()
    attempts: int = 1
    pushed: bool = True
    switched: bool = False

    @property
    def revision(self) -> str:
        """`<branch>@sha1:<hex>`, as Flux records the pushed commit (`observedSourceRevision`)."""
        return f"{self.branch}@{hash_revision(self.commit)}"

    def summary(self) -> str:
        """The push event's text, as Flux writes it.

        `pushed commit '<7 hex>' to branch '<b>'`, then ` and refspecs '<r>'`
        when a refspec was pushed, then a newline and the commit message.
        """
        return events.push_summary(self, verb="pushed commit" if self.pushed else "committed (not pushed)")


def signing_key_from_secret(secret: Mapping[str, Any], *, key_type: str = "gpg", name: str) -> SigningKey:
    """Read `spec.git.commit.signingKey.secretRef` with Flux's keys.

    `gpg` (also an empty type) reads `git.asc` and `passphrase`; `ssh` reads
    `identity` and `password`. Values come from `data` (base64) or, for
    Secrets read from files, `stringData`.

    Args:
        secret: the Secret object.
        key_type: `signingKey.type`.
        name: the Secret's name (or `namespace/name`), for messages.

    Raises:
        SigningError: the type is unknown, the key is missing, or a value is not base64.
    """
    values: dict[str, bytes] = {}
    for key, value in (secret.get("data") or {}).items():
        try:
            values[str(key)] = base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError) as err:
            raise SigningError(f"signing key secret '{name}': key {key} is not valid base64") from err
    for key, value in (secret.get("stringData") or {}).items():
        values[str(key)] = str(value).encode()
    kind = key_type or "gpg"
    if kind not in ("gpg", "ssh"):
        raise SigningError(f"unknown signing key type \"{key_type}\"", hint="set signingKey.type to gpg or ssh")
    key_name, pass_name = ("git.asc", "passphrase") if kind == "gpg" else ("identity", "password")
    key_value = values.get(key_name)
    if not key_value:
        article = "an" if key_name[0] in "aeiou" else "a"
        raise SigningError(f"signing key secret '{name}' does not contain {article} '{key_name}' key",
                           hint=f"add the {'armored OpenPGP' if kind == 'gpg' else 'OpenSSH'} private key "
                                f"as {key_name}")
    passphrase = values.get(pass_name)
    return SigningKey(key=key_value, passphrase=passphrase.decode() if passphrase else None,
                      type="gpg" if kind == "gpg" else "ssh", source=f"secret '{name}'")


# --- commit and push ----------------------------------------------------------------------------

def commit_and_push(co: gitcheckout.Checkout, *, author_name: str, author_email: str,
                    message: str | Callable[[], str], redo: Callable[[Path], bool],
                    signing: SigningKey | None = None, push_branch: str | None = None,
                    refspec: str | None = None, push_options: Mapping[str, str] | None = None,
                    max_attempts: int = 3, no_push: bool = False,
                    force_push_branch: bool = True) -> PushResult | None:
    """Commit the changes in the clone and push them, redoing the update when the branch moved.

    Args:
        co: the working clone (from `checkout.checkout`), with the update applied.
        author_name: `spec.git.commit.author.name` (may be empty).
        author_email: `spec.git.commit.author.email`.
        message: the commit message, or a function rendering it (called again
            after each `redo`, so a template sees the changes made last).
        redo: re-applies the update to the work dir after it was reset to the
            branch's new head; returns whether anything changed.
        signing: the signing key, or None for unsigned commits.
        push_branch: the branch to push to; default the branch the clone is on.
        refspec: `spec.git.push.refspec`, pushed after the branch.
        push_options: `spec.git.push.options`, sent as `key=value` push options.
        max_attempts: pushes to try in all when the branch keeps moving.
        no_push: commit locally only.
        force_push_branch: force the push when the push branch differs from
            the checkout branch (Flux's `GitForcePushBranch`, on by default).
            To continue an existing push branch rather than overwrite it, give
            the push branch to `checkout.checkout` too, as Flux does.

    Returns:
        The pushed commit, or None when there was nothing to commit (also
        when, after a race, the update was no longer needed).

    Raises:
        PushError: the refspec or an option is invalid, the push was rejected
            (permanently, or by a race on every attempt), or git failed.
        SigningError: the signing key cannot be used.
        ValueError: `max_attempts` is below 1, or the author is invalid.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    _check_identity(author_name, author_email)
    target = push_branch or co.branch
    options = dict(push_options or {})
    _check_push_settings(co, target, refspec, options)
    compare = DEFAULT_BRANCH if co.ref is None else (co.ref.branch or "")
    switched = target != compare
    force = switched and force_push_branch
    local = co.runner()
    orig_head = local.run(["rev-parse", "--verify", "HEAD^{commit}"], action="reading").stdout.strip()

    def render() -> str:
        return message if isinstance(message, str) else message()

    with Repo(co.workdir) as repo, _signer(signing) as signer:
        text = render()
        commit = _commit(local, repo, co.branch, author_name, author_email, text, signer)
        if commit is None:
            return None
        snapshot = local.run(["rev-parse", f"{commit}^{{tree}}"], action="reading").stdout.strip()
        if no_push:
            return PushResult(commit, target, text, datetime.now(UTC), attempts=0, pushed=False,
                              switched=switched)
        try:
            with gitauth.git_environment(co.auth, url=co.url, tmp_root=co.tmp_root) as env:
                net = co.runner(env)
                branch_spec = f"{HEADS}{co.branch}:{HEADS}{target}"
                attempt = 1
                while True:
                    status, remote_said = _push(net, co.url, branch_spec, force=force, options=options)
                    if status.ok:
                        break
                    if not (status.race and not force):
                        raise _rejected(co, target, status, remote_said)
                    if attempt >= max_attempts:
                        raise PushError(f"push to branch '{target}' of {co.shown_url} was rejected {attempt} "
                                        f"times: the branch kept moving ({status.reason})", url=co.shown_url,
                                        hint="another writer keeps updating the branch; run again later")
                    attempt += 1
                    gitcheckout.fetch_branch(net, co.url, target, shallow=co.shallow)
                    local.run(["reset", "--quiet", "--hard", gitcheckout.TRACKING_PREFIX + target],
                              action="resetting to the new head of")
                    local.run(["clean", "-ffdq"], action="resetting to the new head of")
                    if not redo(co.workdir):
                        return None
                    text = render()
                    commit = _commit(local, repo, co.branch, author_name, author_email, text, signer)
                    if commit is None:
                        return None
                pushed_refspecs: tuple[str, ...] = ()
                if refspec:
                    status, remote_said = _push(net, co.url, refspec, force=False, options=options)
                    if not status.ok:
                        raise _rejected(co, target, status, remote_said, refspec=refspec, pushed=commit)
                    pushed_refspecs = (refspec,)
        except BaseException:
            _restore(local, orig_head, snapshot)
            raise
    return PushResult(commit, target, text, datetime.now(UTC), pushed_refspecs, attempt, True, switched)


# --- the commit ---------------------------------------------------------------------------------

class _Signer(Protocol):
    def sign(self, payload: bytes) -> str:
        """An armored detached signature of `payload`."""
        ...


def _commit(runner: gitcheckout.GitRunner, repo: Repo, branch: str, name: str, email: str, message: str,
            signer: _Signer | None) -> str | None:
    """Stage everything and commit it on `branch`; None when the tree did not change."""
    runner.run(["add", "--all"], action="staging the changes in")
    tree = runner.run(["write-tree"], action="staging the changes in").stdout.strip()
    parent, parent_tree = runner.run(["rev-parse", "HEAD^{commit}", "HEAD^{tree}"],
                                     action="reading").stdout.split()
    if parent_tree == tree:
        return None
    ident = f"{name} <{email}> {int(time.time())} +0000"
    headers = f"tree {tree}\nparent {parent}\nauthor {ident}\ncommitter {ident}\n"
    body = message.encode()
    data = headers.encode() + b"\n" + body
    if signer is not None:
        signature = signer.sign(data)
        # A header value continues on lines that start with one space (also empty ones).
        gpgsig = "gpgsig " + signature.rstrip("\n").replace("\n", "\n ") + "\n"
        data = (headers + gpgsig).encode() + b"\n" + body
    # Written through GitPython's object database: no `git commit`, so no hooks and no user config.
    stored = repo.odb.store(IStream(b"commit", len(data), BytesIO(data)))
    commit = stored.hexsha.decode() if isinstance(stored.hexsha, bytes) else str(stored.hexsha)
    runner.run(["update-ref", "-m", "fluxpy: image update", HEADS + branch, commit, parent],
               action="committing in")
    return commit


def _check_identity(name: str, email: str) -> None:
    for what, value in (("name", name), ("email", email)):
        if any(c in value for c in "<>\n"):
            raise ValueError(f"commit author {what} {value!r} must not contain '<', '>' or a line break")
    if not email:
        raise ValueError("the commit author email is required (spec.git.commit.author.email)")


def _restore(runner: gitcheckout.GitRunner, orig_head: str, snapshot_tree: str) -> None:
    """Put the clone back: branch at `orig_head`, work tree as `snapshot_tree` (uncommitted)."""
    steps = (["reset", "--quiet", "--hard"], ["clean", "-ffdq"], ["read-tree", "--reset", "-u", snapshot_tree],
             ["reset", "--quiet", orig_head])
    for args in steps:
        try:
            runner.run(args, action="restoring", check=False)
        except GitError:
            return


# --- the push -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _RefStatus:
    """One line of `git push --porcelain`: `<flag>\\t<src>:<dst>\\t<summary>`."""

    flag: str
    dst: str
    summary: str

    @property
    def ok(self) -> bool:
        return self.flag != "!"

    @property
    def reason(self) -> str:
        match = re.search(r"\((.*)\)\s*$", self.summary)
        return match.group(1) if match else self.summary.strip()

    @property
    def race(self) -> bool:
        """Rejected because the remote branch moved since it was fetched."""
        low = self.summary.lower()
        if low.startswith("[rejected]"):
            return self.reason in _RACE_REASONS
        if low.startswith("[remote rejected]"):
            return self.reason == "non-fast-forward" or any(p in low for p in _LOCK_RACE)
        return False


def _push(runner: gitcheckout.GitRunner, url: str, refspec: str, *, force: bool,
          options: Mapping[str, str]) -> tuple[_RefStatus, str]:
    """Push one refspec; return its porcelain status and what the remote said (masked)."""
    args = ["push", "--porcelain", "--no-verify"] + (["--force"] if force else [])
    opt_args = [a for key in sorted(options) for a in ("--push-option", f"{key}={options[key]}")]
    done = runner.run([*args, *opt_args, url, refspec], action="pushing to", check=False)
    if done.returncode != 0 and opt_args and "does not support push options" in done.stderr:
        # go-git sends push options only when the server advertises them.
        done = runner.run([*args, url, refspec], action="pushing to", check=False)
    dst = refspec.rpartition(":")[2]
    statuses = [_RefStatus(m["flag"], m["dst"], m["summary"])
                for m in (_PORCELAIN.match(line) for line in done.stdout.splitlines()) if m]
    mine = next((s for s in statuses if s.dst == dst), statuses[0] if statuses else None)
    if mine is None:
        err = runner.error(done.stderr, action="pushing to")
        raise PushError(err.message, reason=err.reason, url=err.url, hint=err.hint)
    remote = [ln.strip()[len("remote:"):].strip() for ln in done.stderr.splitlines()
              if ln.strip().lower().startswith("remote:") and ln.strip()[len("remote:"):].strip()]
    return mine, "; ".join(remote[-2:])[:200]


def _rejected(co: gitcheckout.Checkout, target: str, status: _RefStatus, remote_said: str, *,
              refspec: str | None = None, pushed: str | None = None) -> PushError:
    where = f"refspec '{refspec}'" if refspec else f"branch '{target}'"
    said = f" (remote: {remote_said})" if remote_said else ""
    before = f"pushed commit '{pushed[:7]}' to branch '{target}', but " if pushed else ""
    return PushError(f"{before}push to {where} of {co.shown_url} was rejected: {status.reason}{said}",
                     reason=GIT_OPERATION_FAILED, url=co.shown_url,
                     hint="the server refused the commit (branch protection, a hook, or permissions); "
                          "check the branch's rules and the credentials' write access")


def _check_push_settings(co: gitcheckout.Checkout, target: str, refspec: str | None,
                         options: Mapping[str, str]) -> None:
    if refspec is not None:
        src, sep, dst = refspec.partition(":")
        problem = None
        if not sep or not dst:
            problem = "it needs a source and a destination (src:dst)"
        elif refspec.startswith("+"):
            problem = "forced refspecs (+src:dst) are not supported"
        elif not src:
            problem = "deleting refspecs (:dst) are not supported"
        elif "*" in refspec or ":" in dst:
            problem = "it must name one source and one destination"
        if problem:
            raise PushError(f"invalid push refspec '{refspec}' for {co.shown_url}: {problem}",
                            url=co.shown_url, hint="use a refspec such as refs/heads/main:refs/heads/auto")
    for key, value in options.items():
        if not key or any(c in key + value for c in "\n\r\0"):
            raise PushError(f"invalid push option {key!r} for {co.shown_url}: keys must be non-empty and "
                            "options single-line", url=co.shown_url)
    checked = co.runner().run(["check-ref-format", "--branch", target], action="checking", check=False,
                              in_repo=False)
    if checked.returncode != 0 or target.startswith("-"):
        raise PushError(f"cannot push to {co.shown_url}: '{target}' is not a valid branch name",
                        reason=SOURCE_MANAGER_FAILED, url=co.shown_url, hint="fix the push branch")


# --- signing ------------------------------------------------------------------------------------

@contextmanager
def _signer(key: SigningKey | None) -> Iterator[_Signer | None]:
    """A signer for `key` whose private files exist only inside the `with` block."""
    if key is None:
        yield None
        return
    home = Path(tempfile.mkdtemp(prefix="fluxpy-signing-", dir=_memory_dir()))
    os.chmod(home, 0o700)
    try:
        signer: _GpgSigner | _SshSigner = _GpgSigner(key, home) if key.type == "gpg" else _SshSigner(key, home)
        signer.sign(_PROBE)  # fail on a bad key or passphrase before anything is committed
        yield signer
    finally:
        if key.type == "gpg":
            _stop_agent(home)
        shutil.rmtree(home, ignore_errors=True)


class _GpgSigner:
    """Signs with one OpenPGP key imported into a private GnuPG home."""

    def __init__(self, key: SigningKey, home: Path) -> None:
        self.key = key
        self.home = home
        gpg = shutil.which("gpg")
        if gpg is None:
            raise SigningError("cannot sign commits: the gpg binary is not installed",
                               hint="install GnuPG (apt-get install gnupg) so that gpg is on PATH")
        self.gpg = gpg
        # Passphrases given through loopback would otherwise stay cached in the agent.
        (home / "gpg-agent.conf").write_text("default-cache-ttl 0\nmax-cache-ttl 0\nallow-loopback-pinentry\n")
        done = self._run(["--import"], key.key)
        status = _gpg_status(done.stderr)
        secret = {line.split()[2] for line in status if line.startswith("IMPORT_OK ")
                  and len(line.split()) > 2 and int(line.split()[1]) & 16}
        result = next((line.split()[1:] for line in status if line.startswith("IMPORT_RES ")), [])
        processed = int(result[0]) if result and result[0].isdigit() else 0
        if processed > 1 or len(secret) > 1:
            raise SigningError(f"multiple entities read from {key.source}, could not determine which signing "
                               "key to use", hint="keep exactly one private key in git.asc")
        if not secret:
            raise SigningError(f"could not read signing key from {key.source}: it is not an armored OpenPGP "
                               "private key", hint="export it with gpg --export-secret-keys --armor KEYID")
        self.fingerprint = next(iter(secret))

    def _run(self, args: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GNUPGHOME": str(self.home), "LC_ALL": "C"}
        cmd = [self.gpg, "--homedir", str(self.home), "--batch", "--no-tty", "--status-fd", "2", *args]
        try:
            return subprocess.run(cmd, input=stdin, capture_output=True, env=env, timeout=_SIGN_TIMEOUT,
                                  check=False, start_new_session=True)
        except subprocess.TimeoutExpired:
            raise SigningError(f"gpg did not finish signing within {_SIGN_TIMEOUT:.0f}s") from None

    def sign(self, payload: bytes) -> str:
        """An armored detached signature of `payload` (the passphrase goes on stdin, the payload in a file)."""
        data = _private_file(self.home, "payload", payload)
        try:
            passphrase = (self.key.passphrase + "\n").encode() if self.key.passphrase else b""
            done = self._run(["--pinentry-mode", "loopback", "--passphrase-fd", "0", "--armor", "--detach-sign",
                              "--local-user", self.fingerprint, "--output", "-", str(data)], passphrase)
        finally:
            data.unlink(missing_ok=True)
        if done.returncode == 0 and b"-----BEGIN PGP SIGNATURE-----" in done.stdout:
            return done.stdout.decode()
        text = done.stderr.decode(errors="replace")
        if "Bad passphrase" in text or "FAILURE sign 67108875" in text:
            raise SigningError(f"could not decrypt private key of the signing key present in {self.key.source}: "
                               "wrong passphrase", hint="check the passphrase key of the signing Secret")
        if "No passphrase given" in text or "FAILURE sign 67109041" in text:
            raise SigningError(f"can not use passphrase protected signing key without 'passphrase' field "
                               f"present in {self.key.source}", hint="add the key's passphrase as passphrase")
        detail = [ln for ln in text.splitlines() if ln.startswith("gpg:")]
        raise SigningError(f"gpg could not sign with the key from {self.key.source}: "
                           f"{detail[-1][5:] if detail else 'unknown error'}")


class _SshSigner:
    """Signs with an OpenSSH private key through `ssh-keygen -Y sign -n git`."""

    def __init__(self, key: SigningKey, home: Path) -> None:
        self.key = key
        keygen = shutil.which("ssh-keygen")
        if keygen is None:
            raise SigningError("cannot sign commits with an SSH key: ssh-keygen is not installed",
                               hint="install OpenSSH (apt-get install openssh-client)")
        self.keygen = keygen
        if b"-----BEGIN OPENSSH PRIVATE KEY-----" not in key.key:
            raise SigningError(f"the SSH signing key in {key.source} is not an OpenSSH private key",
                               hint="convert it with ssh-keygen -p -f KEY (OpenSSH format)")
        blob = key.key if key.key.endswith(b"\n") else key.key + b"\n"
        self.path = _private_file(home, "identity", blob)
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "SSH_ASKPASS_REQUIRE": "never"}
        if key.passphrase:
            askpass = home / "askpass.sh"
            askpass.write_text(_ASKPASS_SCRIPT)
            askpass.chmod(0o700)
            self.env.update({"SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force",
                             _PASSPHRASE_ENV: key.passphrase, "DISPLAY": ""})

    def sign(self, payload: bytes) -> str:
        """An armored SSH signature of `payload` in namespace `git`."""
        try:
            # A new session has no controlling terminal, so ssh-keygen cannot prompt on one.
            done = subprocess.run([self.keygen, "-q", "-Y", "sign", "-n", SIGNING_NAMESPACE, "-f", str(self.path),
                                   "-"], input=payload, capture_output=True, env=self.env, timeout=_SIGN_TIMEOUT,
                                  check=False, start_new_session=True)
        except subprocess.TimeoutExpired:
            raise SigningError(f"ssh-keygen did not finish signing within {_SIGN_TIMEOUT:.0f}s") from None
        if done.returncode == 0 and b"-----BEGIN SSH SIGNATURE-----" in done.stdout:
            return done.stdout.decode()
        text = done.stderr.decode(errors="replace").lower()
        if "passphrase" in text or "incorrect" in text:
            if self.key.passphrase:
                raise SigningError(f"could not decrypt the SSH signing key in {self.key.source}: wrong password",
                                   hint="check the password key of the signing Secret")
            raise SigningError(f"can not use passphrase protected SSH signing key without 'password' field "
                               f"present in {self.key.source}", hint="add the key's passphrase as password")
        line = done.stderr.decode(errors="replace").strip().splitlines()
        raise SigningError(f"ssh-keygen could not sign with the key from {self.key.source}: "
                           f"{line[-1][:200] if line else 'unknown error'}")


def _gpg_status(stderr: bytes) -> list[str]:
    """gpg's `[GNUPG:]` status lines (we pass `--status-fd 2`), without the prefix."""
    return [line[9:] for line in stderr.decode(errors="replace").splitlines() if line.startswith("[GNUPG:] ")]


def _stop_agent(home: Path) -> None:
    gpgconf = shutil.which("gpgconf")
    if gpgconf is None:
        return
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GNUPGHOME": str(home), "LC_ALL": "C"}
    try:
        subprocess.run([gpgconf, "--homedir", str(home), "--kill", "all"], env=env, capture_output=True,
                       timeout=_SIGN_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        pass


def _private_file(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path


def _memory_dir() -> str | None:
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None
