"""`fluxpy diff kustomization NAME --path DIR`, against the API emulator, and `fluxpy.sync.diff`.

Covers: a build equal to the cluster prints nothing and exits 0 (also
after a real server-side apply, defaults and all); a changed
ConfigMap value prints `► ... drifted` and a unified diff of the YAML, then
flux's warning on stderr, exit 1; a new object (and one in a Namespace the
build creates) prints `created`; an inventory entry the build dropped prints
`deleted`, unless prune would keep it (prune disabled, already gone,
`spec.prune: false`); `ssa: Ignore` objects are not compared; a changed
Secret value shows as `*** (before)` / `*** (after)` and never in clear
(nor base64); a SOPS-encrypted Secret, or a Secret generated from an
encrypted source, is decrypted with `--decryption-key-file` or
spec.decryption's Secret and compared by value, and without any key is
compared by keys only, as flux does, with a warning;
`--kustomization-file` builds with the file's spec and prunes against the
cluster's inventory; `--recursive` diffs a nested Kustomization from
`--local-sources` and fails clearly without one; a bad --path, a malformed
--local-sources, a missing Kustomization and a rejected object are one `✗`
line; no run writes anything to the cluster (only dry-run requests). Pure:
server metadata and status are neither compared nor shown, Secret masking,
flux's masked-SOPS comparison, the exact rendering of nested entries.
"""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from fluxpy.models.meta import ObjectRef
from fluxpy.sops import AgeIdentity
from fluxpy.sync import diff
from tests.apiserver import ApiServer
from tests.cli.helpers import Result

Run = Callable[..., Result]
KS = "kustomize.toolkit.fluxcd.io/v1"
OWNED = {"kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}
CHANGED = "⚠️ identified at least one change, exiting with non-zero exit code\n"

SETTINGS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: default
data:
  color: blue
  size: L
"""


@pytest.fixture(autouse=True)
def _no_sops_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOPS_AGE_KEY", raising=False)
    monkeypatch.delenv("SOPS_AGE_KEY_FILE", raising=False)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def ks_doc(*, inventory: list[str] | None = None, name: str = "apps", path: str = "./apps",
           **spec: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": KS, "kind": "Kustomization", "metadata": {"name": name, "namespace": "flux-system"},
        "spec": {"interval": "10m", "prune": True, "path": path,
                 "sourceRef": {"kind": "GitRepository", "name": "repo"}, **spec}}
    if inventory is not None:
        obj["status"] = {"inventory": {"entries": [{"id": i, "v": "v1"} for i in inventory]}}
    return obj


def owned(kind: str, name: str, *, namespace: str = "default", **fields: Any) -> dict[str, Any]:
    """A live object as an earlier reconcile of flux-system/apps left it."""
    return {"apiVersion": "v1", "kind": kind,
            "metadata": {"name": name, "namespace": namespace, "labels": dict(OWNED)}, **fields}


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    apps = tmp_path / "repo" / "apps"
    apps.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (apps / name).write_text(text)
    return apps


def writes(apiserver: ApiServer) -> list[str]:
    """Requests that would change the cluster (anything but reads and dry runs)."""
    return [f"{r.method} {r.path}" for r in apiserver.requests
            if r.verb in ("create", "update", "patch", "delete") and r.query.get("dryRun") != "All"]


def test_no_differences_prints_nothing_and_exits_0(apiserver: ApiServer, fluxpy: Run, tmp_path: Path) -> None:
    apps = tree(tmp_path, {"settings.yaml": SETTINGS})
    apiserver.seed(ks_doc(inventory=["default_settings__ConfigMap"]))
    apiserver.seed(owned("ConfigMap", "settings", data={"color": "blue", "size": "L"}))
    result = fluxpy("diff", "kustomization", "apps", "--path", str(apps))
    assert (result.code, result.out, result.err) == (0, "", "")
    assert apiserver.count(verb="patch") == 1 and writes(apiserver) == []


def test_changed_value_prints_a_unified_diff_and_exits_1(apiserver: ApiServer, fluxpy: Run, tmp_path: Path) -> None:
    apps = tree(tmp_path, {"settings.yaml": SETTINGS})
    apiserver.seed(ks_doc(inventory=["default_settings__ConfigMap"]))
    apiserver.seed(owned("ConfigMap", "settings", data={"color": "red", "size": "L"}))
    result = fluxpy("diff", "ks", "apps", "--path", str(apps))
    assert result.code == 1
    assert result.out == """\
► ConfigMap/default/settings drifted
--- live/ConfigMap/default/settings
+++ merged/ConfigMap/default/settings
@@ -1,6 +1,6 @@
 apiVersion: v1
 data:
-  color: red
+  color: blue
   size: L
 kind: ConfigMap
 metadata:
"""
    assert result.err == CHANGED
    assert writes(apiserver) == []
    live = apiserver.object("v1", "ConfigMap", "default", "settings")
    assert live is not None and live["data"]["color"] == "red"


WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  selector: {app: web}
  ports:
  - port: 80
"""


def test_applied_objects_differ_only_when_the_source_changes(apiserver: ApiServer, fluxpy: Run,
                                                             tmp_path: Path) -> None:
    from fluxpy.kube.client import Kube

    apps = tree(tmp_path, {"web.yaml": WEB})
    apiserver.seed(ks_doc())
    kube = Kube.connect(kubeconfig=str(apiserver.kubeconfig))
    for obj in yaml.safe_load_all(WEB):
        obj["metadata"]["labels"] = dict(OWNED)
        kube.apply(obj, field_manager="kustomize-controller", force=True)
    kube.close()
    apiserver.clear_requests()
    result = fluxpy("diff", "ks", "apps", "--path", str(apps))
    assert (result.code, result.out, result.err) == (0, "", "")
    (apps / "web.yaml").write_text(WEB.replace("nginx:1.25", "nginx:1.26"))
    result = fluxpy("diff", "ks", "apps", "--path", str(apps))
    assert result.code == 1
    assert result.out.startswith("► Deployment/default/web drifted\n--- live/Deployment/default/web\n")
    assert "\n-      - image: nginx:1.25\n+      - image: nginx:1.26\n" in result.out
    assert "Service" not in result.out
    assert writes(apiserver) == []


def test_new_objects_are_created(apiserver: ApiServer, fluxpy: Run, tmp_path: Path) -> None:
    namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"
    in_new_namespace = SETTINGS.replace("namespace: default", "namespace: shop")
    apps = tree(tmp_path, {"settings.yaml": SETTINGS, "ns.yaml": namespace, "shop.yaml": in_new_namespace})
    apiserver.seed(ks_doc())
    result = fluxpy("diff", "ks", "apps", "--path", str(apps))
    assert result.code == 1, result.err
    assert result.out == ("► Namespace/shop created\n► ConfigMap/default/settings created\n"
                          "► ConfigMap/shop/settings created\n")
    assert writes(apiserver) == []
    assert apiserver.object("v1", "Namespace", None, "shop") is None


def test_objects_prune_would_delete_are_listed(apiserver: ApiServer, fluxpy: Run, tmp_path: Path) -> None:
    apps = tree(tmp_path, {"settings.yaml": SETTINGS})
    inventory = ["default_settings__ConfigMap", "default_old__ConfigMap", "default_web__Service",
                 "default_kept__ConfigMap", "default_gone__ConfigMap"]
    apiserver.seed(ks_doc(inventory=inventory))
    apiserver.seed(owned("ConfigMap", "settings", data={"color": "blue", "size": "L"}))
    apiserver.seed(owned("ConfigMap", "old", data={"a": "b"}))
    apiserver.seed(owned("Service", "web", spec={"ports": [{"port": 80}]}))
    kept = owned("ConfigMap", "kept", data={"a": "b"})
    kept["metadata"]["annotations"] = {"kustomize.toolkit.fluxcd.io/prune": "disabled"}
    apiserver.seed(kept)
    result = fluxpy("diff", "ks", "apps", "--path", str(apps))
    assert result.code == 1, result.err
    assert result.out == "► ConfigMap/default/old deleted\n► Service/default/web deleted\n"
    assert writes(apiserver) == []
    assert apiserver.object("v1", "ConfigMap", "default", "old") is not None

    apiserver.seed(ks_doc(inventory=inventory, prune=False))
    result = fluxpy("diff", "ks", "apps", "--path", str(apps))
    assert (result.code, result.out) == (0, "")


def test_ignored_objects_are_not_compared(apiserver: ApiServer, fluxpy: Run, tmp_path: Path) -> None:
    ignored = SETTINGS.replace("  namespace: default\n", "  namespace: default\n  annotations:\n"
                               "    kustomize.toolkit.fluxcd.io/ssa: Ignore\n")
    apps = tree(tmp_path, {"settings.yaml": ignored})
    apiserver.seed(ks_doc(inventory=["default_settings__ConfigMap"]))
    live = owned("ConfigMap", "settings", data={"color": "red"})
    live["metadata"]["annotations"] = {"kustomize.toolkit.fluxcd.io/ssa": "Ignore"}
    apiserver.seed(live)
    result = fluxpy("diff", "ks", "apps", "--path", str(apps))
    assert (result.code, result.out, result.err) == (0, "", "")


SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: default
stringData:
  password: new-hunter2
  user: admin
"""


def test_secret_values_are_masked_but_a_change_shows(apiserver: ApiServer, fluxpy: Run, tmp_path: Path) -> None:
    apps = tree(tmp_path, {"secret.yaml": SECRET})
    apiserver.seed(ks_doc(inventory=["default_db__Secret"]))
    live = owned("Secret", "db", type="Opaque", data={"password": b64("old-hunter2"), "user": b64("admin"),
                                                       "legacy": b64("old-token")})
    live["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": '{"data":"old-hunter2"}'}
    apiserver.seed(live)
    result = fluxpy("diff", "ks", "apps", "--path", str(apps))
    assert result.code == 1, result.err
    assert "► Secret/default/db drifted\n" in result.out
    lines = result.out.splitlines()
    assert "-  password: '*** (before)'" in lines and "+  password: '*** (after)'" in lines
    assert "   legacy: '***'" in lines and "   user: '***'" in lines
    for value in ("hunter2", "old-token", "admin", b64("old-hunter2"), b64("new-hunter2"), b64("admin")):
        assert value not in result.out + result.err
    assert writes(apiserver) == []


def sops_encrypt(text: str, recipient: str, tmp_path: Path) -> str:
    """Encrypt a manifest with the real sops binary for one age recipient (data and stringData only)."""
    from tests.sops.conftest import _sops_binary

    src = tmp_path / "plain.yaml"
    src.write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
    done = subprocess.run([_sops_binary(), "--encrypt", "--age", recipient, "--encrypted-regex",
                           "^(data|stringData)$", str(src)], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    src.unlink()
    return done.stdout


def test_sops_secret_is_decrypted_and_compared_by_value(apiserver: ApiServer, fluxpy: Run, tmp_path: Path) -> None:
    key = AgeIdentity.generate()
    apps = tree(tmp_path, {"secret.yaml": sops_encrypt(SECRET, key.recipient, tmp_path)})
    key_file = tmp_path / "age.txt"
    key_file.write_text(key.encode() + "\n")
    apiserver.seed(ks_doc(inventory=["default_db__Secret"]))
    apiserver.seed(owned("Secret", "db", type="Opaque", data={"password": b64("new-hunter2"), "user": b64("admin")}))
    result = fluxpy("diff", "ks", "apps", "--path", str(apps), "--decryption-key-file", str(key_file))
    assert (result.code, result.out, result.err) == (0, "", "")

    apiserver.seed(owned("Secret", "db", type="Opaque", data={"password": b64("old-hunter2"), "user": b64("admin")}))
    result = fluxpy("diff", "ks", "apps", "--path", str(apps), "--decryption-key-file", str(key_file))
    assert result.code == 1, result.err
    assert "-  password: '*** (before)'" in result.out and "+  password: '*** (after)'" in result.out
    assert "hunter2" not in result.out + result.err and b64("new-hunter2") not in result.out

    # The keys from spec.decryption's Secret do the same.
    apiserver.seed({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sops-age", "namespace": "flux-system"},
                    "data": {"age.agekey": b64(key.encode())}})
    apiserver.seed(ks_doc(inventory=["default_db__Secret"],
                          decryption={"provider": "sops", "secretRef": {"name": "sops-age"}}))
    result = fluxpy("diff", "ks", "apps", "--path", str(apps))
    assert result.code == 1 and "+  password: '*** (after)'" in result.out
    assert "hunter2" not in result.out + result.err
    assert writes(apiserver) == []


def test_sops_secret_without_keys_is_compared_by_keys_only(apiserver: ApiServer, fluxpy: Run,
                                                           tmp_path: Path) -> None:
    key = AgeIdentity.generate()
    apps = tree(tmp_path, {"secret.yaml": sops_encrypt(SECRET, key.recipient, tmp_path)})
    apiserver.seed(ks_doc(inventory=["default_db__Secret"]))
    apiserver.seed(owned("Secret", "db", type="Opaque", data={"password": b64("old-hunter2"), "user": b64("admin")}))
    result = fluxpy("diff", "ks", "apps", "--path", str(apps))
    assert (result.code, result.out) == (0, "")
    assert result.err == ("⚠️ Secret/default/db is SOPS-encrypted and no decryption key is available: only its keys "
                          "are compared (set spec.decryption, SOPS_AGE_KEY_FILE or --decryption-key-file to compare "
                          "values)\n")

    apiserver.seed(owned("Secret", "db", type="Opaque", data={"password": b64("old-hunter2")}))
    result = fluxpy("diff", "ks", "apps", "--path", str(apps))
    assert result.code == 1
    assert "+  user: '***'" in result.out.splitlines() and "   password: '***'" in result.out.splitlines()
    assert "hunter2" not in result.out + result.err and "SOPS" not in result.out

    # A decryption Secret that cannot be read is a warning, not an error.
    apiserver.seed(ks_doc(inventory=["default_db__Secret"],
                          decryption={"provider": "sops", "secretRef": {"name": "missing"}}))
    result = fluxpy("diff", "ks", "apps", "--path", str(apps))
    assert result.code == 1
    assert result.err.startswith("⚠️ cannot read decryption Secret flux-system/missing (NotFound): using local keys")
    assert writes(apiserver) == []


def test_encrypted_generator_source_is_masked_without_keys(apiserver: ApiServer, fluxpy: Run,
                                                           tmp_path: Path) -> None:
    from tests.sops.conftest import _sops_binary

    key = AgeIdentity.generate()
    plain = '{\n\t"token": "json-hunter2"\n}\n'
    src = tmp_path / "token.json"
    src.write_text(plain)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
    encrypted = subprocess.run([_sops_binary(), "--encrypt", "--age", key.recipient, str(src)], capture_output=True,
                               text=True, env=env, check=True).stdout
    src.unlink()
    kustomization = ("secretGenerator:\n- name: api\n  namespace: default\n  files:\n  - token.json\n"
                     "generatorOptions:\n  disableNameSuffixHash: true\n")
    apps = tree(tmp_path, {"kustomization.yaml": kustomization, "token.json": encrypted})
    apiserver.seed(ks_doc(inventory=["default_api__Secret"]))
    apiserver.seed(owned("Secret", "api", type="Opaque", data={"token.json": b64(plain)}))
    result = fluxpy("diff", "ks", "apps", "--path", str(apps))
    assert (result.code, result.out) == (0, "")
    assert result.err.startswith("⚠️ Secret/default/api is SOPS-encrypted and no decryption key is available")

    key_file = tmp_path / "age.txt"
    key_file.write_text(key.encode() + "\n")
    result = fluxpy("diff", "ks", "apps", "--path", str(apps), "--decryption-key-file", str(key_file))
    assert (result.code, result.out, result.err) == (0, "", "")
    apiserver.seed(owned("Secret", "api", type="Opaque", data={"token.json": b64(plain.replace("json", "old"))}))
    result = fluxpy("diff", "ks", "apps", "--path", str(apps), "--decryption-key-file", str(key_file))
    assert result.code == 1 and "+  token.json: '*** (after)'" in result.out.splitlines()
    assert "hunter2" not in result.out + result.err
    assert writes(apiserver) == []


def test_kustomization_file_spec_with_cluster_inventory(apiserver: ApiServer, fluxpy: Run, tmp_path: Path) -> None:
    apps = tree(tmp_path, {"settings.yaml": SETTINGS})
    ks_file = tmp_path / "ks.yaml"
    ks_file.write_text(yaml.safe_dump(ks_doc(targetNamespace="flux-system")))
    apiserver.seed(ks_doc(inventory=["default_settings__ConfigMap"]))
    apiserver.seed(owned("ConfigMap", "settings", data={"color": "blue", "size": "L"}))
    result = fluxpy("diff", "ks", "apps", "--path", str(apps), "--kustomization-file", str(ks_file))
    assert result.code == 1, result.err
    assert result.out == "► ConfigMap/flux-system/settings created\n► ConfigMap/default/settings deleted\n"
    assert writes(apiserver) == []


def nested_tree(tmp_path: Path) -> tuple[Path, Path]:
    """A parent kustomization holding Kustomization `web`, whose source is checked out at `web-src`."""
    apps = tree(tmp_path, {"web-ks.yaml": yaml.safe_dump(ks_doc(name="web", path="./deploy"))})
    deploy = tmp_path / "web-src" / "deploy"
    deploy.mkdir(parents=True)
    (deploy / "settings.yaml").write_text(SETTINGS.replace("name: settings", "name: web"))
    return apps, tmp_path / "web-src"


def test_recursive_diffs_nested_kustomizations_from_local_sources(apiserver: ApiServer, fluxpy: Run,
                                                                  tmp_path: Path) -> None:
    apps, web_src = nested_tree(tmp_path)
    apiserver.seed(ks_doc(inventory=["flux-system_web_kustomize.toolkit.fluxcd.io_Kustomization"]))
    web = ks_doc(name="web", path="./deploy")
    web["metadata"]["labels"] = dict(OWNED)
    apiserver.seed(web)
    result = fluxpy("diff", "ks", "apps", "--path", str(apps))
    assert (result.code, result.out) == (0, "")
    result = fluxpy("diff", "ks", "apps", "--path", str(apps), "-r",
                    "--local-sources", f"GitRepository/flux-system/repo={web_src}")
    assert result.code == 1, result.err
    assert result.out == "📁 Kustomization/flux-system/web changed\n► ConfigMap/default/web created\n"
    assert writes(apiserver) == []

    result = fluxpy("diff", "ks", "apps", "--path", str(apps), "--recursive")
    assert result.code == 2 and result.out == ""
    assert result.err == ("✗ cannot get local path for GitRepository/flux-system/repo of Kustomization "
                          "flux-system/web; pass --local-sources GitRepository/flux-system/repo=DIR "
                          "(a checkout of that source)\n")


@pytest.mark.parametrize(("args", "code", "text"), [
    (["--path", "missing-dir"], 2, "--path missing-dir: not a directory"),
    (["--path", ".", "--local-sources", "repo=./x"], 2, "--local-sources 'repo=./x': expected KIND/NAMESPACE/NAME=DIR"),
])
def test_bad_arguments_are_one_error_line(fluxpy: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          args: list[str], code: int, text: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = fluxpy("diff", "ks", "apps", *args)
    assert (result.code, result.out) == (code, "")
    assert result.err.startswith(f"✗ {text}") and result.err.count("\n") == 1


def test_cluster_and_build_failures_are_one_error_line_and_exit_2(apiserver: ApiServer, fluxpy: Run,
                                                                  tmp_path: Path) -> None:
    # 2, as flux diff: 1 means "differences found".
    apps = tree(tmp_path, {"secret.yaml": SECRET.replace("name: db", "name: Bad_Name")})
    result = fluxpy("diff", "ks", "apps", "--path", str(apps))
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("✗ ") and result.err.count("\n") == 1 and "apps" in result.err

    apiserver.seed(ks_doc())
    result = fluxpy("diff", "ks", "apps", "--path", str(apps))
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("✗ 1 object failed validation") and result.err.count("\n") == 1
    assert "Secret/default/Bad_Name" in result.err and "hunter2" not in result.err
    assert writes(apiserver) == []


# -- fluxpy.sync.diff (pure) ---------------------------------------------------------------------------------

CM_REF = ObjectRef("ConfigMap", "default", "settings")


def test_server_metadata_and_status_are_neither_compared_nor_shown() -> None:
    live = {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": "default", "uid": "1", "resourceVersion": "5",
                         "generation": 2, "creationTimestamp": "2024-01-01T00:00:00Z",
                         "managedFields": [{"manager": "kubectl"}]},
            "data": {"color": "red"}, "status": {"x": 1}}
    dry = {**live, "metadata": {**live["metadata"], "resourceVersion": "6",
                                "managedFields": [{"manager": "kustomize-controller"}]}, "status": {"x": 2}}
    assert diff.compare(CM_REF, live, dry) is None
    found = diff.compare(CM_REF, live, {**dry, "data": {"color": "blue"}})
    assert found is not None and found.change is diff.Change.DRIFTED
    assert not any(word in found.diff for word in ("uid", "resourceVersion", "managedFields", "status", "generation"))


def test_secret_masks_show_which_values_changed() -> None:
    live = {"data": {"same": "YQ==", "changed": "Yg==", "removed": "Yw=="}, "stringData": "odd"}
    merged = {"data": {"same": "YQ==", "changed": "ZA==", "added": "ZQ=="}}
    diff.mask_secrets(live, merged)
    assert live == {"data": {"same": "***", "changed": "*** (before)", "removed": "***"}, "stringData": "***"}
    assert merged == {"data": {"same": "***", "changed": "*** (after)", "added": "***"}}


def test_last_applied_annotation_of_a_secret_is_masked() -> None:
    notes = {"kubectl.kubernetes.io/last-applied-configuration": '{"data": {"a": "c2VjcmV0"}}', "team": "shop"}
    live = {"metadata": {"annotations": dict(notes)}, "data": {"a": "c2VjcmV0"}}
    merged = {"metadata": {"annotations": {**notes, "team": "web"}}, "data": {"a": "c2VjcmV0"}}
    diff.mask_secrets(live, merged)
    assert live["metadata"]["annotations"] == {"kubectl.kubernetes.io/last-applied-configuration": "***",
                                               "team": "shop"}
    assert merged["metadata"]["annotations"]["team"] == "web"


def test_masked_sops_values_count_as_the_live_ones() -> None:
    from fluxpy.kustomize.ownership import MASK, MASK_B64

    live = {"apiVersion": "v1", "kind": "Secret", "data": {"a": "bGl2ZQ==", "b": "Yg=="}}
    dry = {"apiVersion": "v1", "kind": "Secret", "data": {"a": MASK_B64, "c": MASK_B64}, "stringData": {"b": MASK}}
    assert diff.unmask_sops(dry, live) == {"apiVersion": "v1", "kind": "Secret",
                                           "data": {"a": "bGl2ZQ==", "c": MASK_B64, "b": "Yg=="}}
    assert diff.compare(ObjectRef("Secret", "default", "s"), live, {**dry, "data": {"a": MASK_B64}},
                        sops_masked=True) is None


def test_render_prints_flux_lines_and_changed_nested_kustomizations_only() -> None:
    web, api = ObjectRef("Kustomization", "flux-system", "web"), ObjectRef("Kustomization", "flux-system", "api")
    entries: list[diff.Entry] = [
        diff.ObjectDiff(CM_REF, diff.Change.DRIFTED, "--- a\n+++ b\n"),
        diff.Nested(web, (diff.ObjectDiff(ObjectRef("Namespace", None, "web"), diff.Change.CREATED),)),
        diff.Nested(api, ()),
        diff.Skipped(ObjectRef("Kustomization", "flux-system", "remote"), "diff not supported for remote clusters"),
        diff.ObjectDiff(ObjectRef("Service", "default", "old"), diff.Change.DELETED, note="why"),
    ]
    assert diff.render(entries) == (
        "► ConfigMap/default/settings drifted\n--- a\n+++ b\n"
        "📁 Kustomization/flux-system/web changed\n► Namespace/web created\n"
        "⚠️ Kustomization/flux-system/remote skipped: diff not supported for remote clusters\n"
        "► Service/default/old deleted\n  why\n")
    assert diff.changed(entries) and not diff.changed(entries[2:4])
