"""ImageUpdateAutomation commit messages (`fluxpy.image.message`).

Covers: the default message; Flux's documented `messageTemplate` examples
(docs/spec/v1/imageupdateautomations.md: the Files/Objects example, the
`lower`/`contains` variant, `messageTemplateValues`, the Gerrit Change-Id and
the Gitea `print`/`println` one-liner) and the templates of
image-automation-controller's own tests, rendered byte for byte against sample
changes; Go's printing of the template data (`ns/name`, kyaml identifiers as
`{{{apiVersion kind} {name namespace}}}`); the order of files, objects and
changes; `Objects()` keeping the last file's list and `Changes()` dropping
duplicates; `.Values` missing keys; the removed `.Updated` and
`.Changed.ImageResult` fields (Flux's stalling error); and parse and run errors
with Flux's prefixes.

Expected messages were worked out by hand from Go's text/template rules: a
`-}}` eats the newline and indentation after it, a `{{-` the whitespace
before it, and `range` walks map keys in sorted order.
"""

from __future__ import annotations

import hashlib

import pytest

from fluxpy.image import message
from fluxpy.image.message import Change, ObjectId, Result

AUTOMATION = ("podinfo-update", "default")
OLD = "ghcr.io/stefanprodan/podinfo:5.0.0"
NEW = "ghcr.io/stefanprodan/podinfo:5.0.3"


def podinfo() -> Result:
    """One Deployment in one file, as in Flux's docs example."""
    r = Result()
    r.add_change("deploy.yaml", ObjectId("podinfo", "default", "apps/v1", "Deployment"),
                 Change(OLD, NEW, "default:podinfo-policy"))
    return r


def two_apps() -> Result:
    """Two files, two Deployments; redis is not updated to 5.0.3."""
    r = Result()
    r.add_change("apps/redis.yaml", ObjectId("redis", "default", "apps/v1", "Deployment"),
                 Change("redis:6.0", "redis:6.2", "default:redis"))
    r.add_change("apps/podinfo.yaml", ObjectId("PodInfo", "default", "apps/v1", "Deployment"),
                 Change(OLD, NEW, "default:podinfo-policy"))
    return r


# From docs/spec/v1/imageupdateautomations.md, "Message Template" (the YAML `|` block, de-indented).
DOCS_EXAMPLE = """\
Automated image update

Automation name: {{ .AutomationObject }}

Files:
{{ range $filename, $_ := .Changed.FileChanges -}}
- {{ $filename }}
{{ end -}}

Objects:
{{ range $resource, $changes := .Changed.Objects -}}
- {{ $resource.Kind }} {{ $resource.Name }}
  Changes:
{{- range $_, $change := $changes }}
    - {{ $change.OldValue }} -> {{ $change.NewValue }}
{{ end -}}
{{ end -}}
"""

# Same page, "With template functions ...".
DOCS_FUNCTIONS_EXAMPLE = """\
Automated image update

Automation name: {{ .AutomationObject }}

Files:
{{ range $filename, $_ := .Changed.FileChanges -}}
- {{ $filename }}
{{ end -}}

Objects:
{{ range $resource, $changes := .Changed.Objects -}}
- {{ $resource.Kind | lower }} {{ $resource.Name | lower }}
  Changes:
{{- range $_, $change := $changes }}
  {{ if contains "5.0.3" $change.NewValue -}}
    - {{ $change.OldValue }} -> {{ $change.NewValue }}
  {{ else -}}
    [skip ci] wrong image
  {{ end -}}
{{ end -}}
{{ end -}}
"""

# Same page, "Gerrit".
GERRIT_EXAMPLE = """\
Perform automatic image update

Automation name: {{ .AutomationObject }}

{{- $ChangeId := .AutomationObject -}}
{{- $ChangeId = printf "%s%s" $ChangeId ( .Changed.FileChanges | toString ) -}}
{{- $ChangeId = printf "%s%s" $ChangeId ( .Changed.Objects | toString ) -}}
{{- $ChangeId = printf "%s%s" $ChangeId ( .Changed.Changes | toString ) }}
Change-Id: {{ printf "I%s" ( sha256sum $ChangeId | trunc 40 ) }}
"""

# Same page, "Gitea": a single-quoted YAML scalar folded onto one line.
GITEA_EXAMPLE = "{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}"


def test_an_empty_template_gives_flux_default_message() -> None:
    assert message.render(None, automation=AUTOMATION, changed=podinfo()) == "Update from image update automation"
    assert message.render("", automation=AUTOMATION, changed=podinfo()) == "Update from image update automation"


def test_docs_example_renders_files_and_objects() -> None:
    want = (
        "Automated image update\n"
        "\n"
        "Automation name: default/podinfo-update\n"
        "\n"
        "Files:\n"
        "- deploy.yaml\n"
        "Objects:\n"  # `{{ end -}}` ate the blank line
        "- Deployment podinfo\n"
        "  Changes:\n"
        f"    - {OLD} -> {NEW}\n"
    )
    assert message.render(DOCS_EXAMPLE, automation=AUTOMATION, changed=podinfo()) == want


def test_docs_example_lists_files_and_objects_in_sorted_order() -> None:
    want = (
        "Automated image update\n"
        "\n"
        "Automation name: default/podinfo-update\n"
        "\n"
        "Files:\n"
        "- apps/podinfo.yaml\n"
        "- apps/redis.yaml\n"
        "Objects:\n"
        "- Deployment PodInfo\n"  # "PodInfo" < "redis": identifiers sort by apiVersion, kind, name, namespace
        "  Changes:\n"
        f"    - {OLD} -> {NEW}\n"
        "- Deployment redis\n"
        "  Changes:\n"
        "    - redis:6.0 -> redis:6.2\n"
    )
    assert message.render(DOCS_EXAMPLE, automation=AUTOMATION, changed=two_apps()) == want


def test_docs_functions_example_lowers_names_and_marks_other_images() -> None:
    want = (
        "Automated image update\n"
        "\n"
        "Automation name: default/podinfo-update\n"
        "\n"
        "Files:\n"
        "- apps/podinfo.yaml\n"
        "- apps/redis.yaml\n"
        "Objects:\n"
        "- deployment podinfo\n"
        "  Changes:\n"
        f"  - {OLD} -> {NEW}\n"
        "  - deployment redis\n"  # the inner `{{ end -}}`s leave the two spaces before `{{ if`
        "  Changes:\n"
        "  [skip ci] wrong image\n"
        "  "
    )
    assert message.render(DOCS_FUNCTIONS_EXAMPLE, automation=AUTOMATION, changed=two_apps()) == want


def test_docs_values_example_reads_message_template_values() -> None:
    text = "Automated image update by Flux for cluster {{ .Values.cluster }}."  # a `|-` block: no final newline
    got = message.render(text, automation=AUTOMATION, values={"cluster": "prod"}, changed=podinfo())
    assert got == "Automated image update by Flux for cluster prod."


def test_docs_gerrit_example_hashes_go_printed_change_data() -> None:
    ident = "{{{apps/v1 Deployment} {podinfo default}}}"
    change = f"{{{OLD} {NEW} default:podinfo-policy}}"
    change_id_source = (
        "default/podinfo-update"
        f"map[deploy.yaml:map[{ident}:[{change}]]]"
        f"map[{ident}:[{change}]]"
        f"[{change}]"
    )
    digest = hashlib.sha256(change_id_source.encode()).hexdigest()[:40]
    want = f"Perform automatic image update\n\nAutomation name: default/podinfo-update\nChange-Id: I{digest}\n"
    assert message.render(GERRIT_EXAMPLE, automation=AUTOMATION, changed=podinfo()) == want


def test_docs_gitea_example_prints_one_line_per_change() -> None:
    got = message.render(GITEA_EXAMPLE, automation=AUTOMATION, changed=two_apps())
    assert got == f"{OLD} -> {NEW}\nredis:6.0 -> redis:6.2\n"


def test_flux_source_test_template_renders_as_flux_expects() -> None:
    # internal/source/source_test.go: testCommitTemplateResultV2 and its wantCommitMsg.
    text = """Commit summary with ResultV2

Automation: {{ .AutomationObject }}

{{ range $filename, $objchange := .Changed.FileChanges -}}
- File: {{ $filename }}
{{- range $obj, $changes := $objchange }}
  - Object: {{ $obj.Kind }}/{{ $obj.Namespace }}/{{ $obj.Name }}
    Changes:
{{- range $_ , $change := $changes }}
    - {{ $change.OldValue }} -> {{ $change.NewValue }}
{{ end -}}
{{ end -}}
{{ end -}}
"""
    want = """Commit summary with ResultV2

Automation: test-ns/test-update

- File: deploy.yaml
  - Object: Deployment//test
    Changes:
    - helloworld:1.0.0 -> helloworld:1.0.1
"""
    r = Result()
    r.add_change("deploy.yaml", ObjectId("test", "", "apps/v1", "Deployment"),
                 Change("helloworld:1.0.0", "helloworld:1.0.1", "test-ns:policy1"))
    assert message.render(text, automation=("test-update", "test-ns"), changed=r) == want


def test_flux_controller_test_template_renders_as_flux_expects() -> None:
    # internal/controller/imageupdateautomation_controller_test.go: testCommitTemplate and testCommitMessageFmt.
    text = """Commit summary

Automation: {{ .AutomationObject }}

Files:
{{ range $filename, $_ := .Changed.FileChanges -}}
- {{ $filename }}
{{ end -}}

Objects:
{{ range $resource, $_ := .Changed.Objects -}}
{{ if eq $resource.Kind "Deployment" -}}
- {{ $resource.Kind | lower }} {{ $resource.Name | lower }}
{{ else -}}
- {{ $resource.Kind }} {{ $resource.Name }}
{{ end -}}
{{ end -}}

Images:
{{ range .Changed.Changes -}}
{{ if .Setter -}}
- {{.NewValue}} ({{.Setter}})
{{ end -}}
{{ end -}}
"""
    ns = "image-auto-test-x1"
    want = f"""Commit summary

Automation: {ns}/update-test

Files:
- deploy.yaml
Objects:
- deployment test
Images:
- helloworld:v1.0.0 ({ns}:policy-ab)
"""
    r = Result()
    r.add_change("deploy.yaml", ObjectId("test", "", "apps/v1", "Deployment"),
                 Change("helloworld:1.0.0", "helloworld:v1.0.0", f"{ns}:policy-ab"))
    assert message.render(text, automation=("update-test", ns), changed=r) == want


# --------------------------------------------------------------------------- the data's Go shape


def test_template_data_prints_as_go_prints_flux_types() -> None:
    r = Result()
    r.add_change("kustomization.yaml", ObjectId("", "", "kustomize.config.k8s.io/v1beta1", "Kustomization"),
                 Change("app:1", "app:2", "flux-system:app:tag"))
    text = (
        "{{ .AutomationObject }}|{{ .AutomationObject.Name }}|{{ .AutomationObject.Namespace }}|"
        "{{ .Changed.FileChanges }}|{{ .Changed.Changes }}|{{ .Values }}|{{ printf \"%T %T\" .Changed .AutomationObject }}"
    )
    assert message.render(text, automation=("auto", "flux-system"), changed=r) == (
        "flux-system/auto|auto|flux-system|"
        "map[kustomization.yaml:map[{{{kustomize.config.k8s.io/v1beta1 Kustomization} { }}}:[{app:1 app:2 flux-system:app:tag}]]]|"
        "[{app:1 app:2 flux-system:app:tag}]|map[]|update.Result types.NamespacedName"
    )


def test_identifiers_expose_promoted_fields_and_json() -> None:
    text = "{{ range $o, $c := .Changed.Objects }}{{ $o.APIVersion }} {{ $o.TypeMeta.Kind }} {{ toJson $o }}{{ end }}"
    assert message.render(text, automation=AUTOMATION, changed=podinfo()) == (
        'apps/v1 Deployment {"apiVersion":"apps/v1","kind":"Deployment","name":"podinfo","namespace":"default"}'
    )
    assert message.render("{{ .Changed.Changes | toJson }}", automation=AUTOMATION, changed=podinfo()) == (
        f'[{{"OldValue":"{OLD}","NewValue":"{NEW}","Setter":"default:podinfo-policy"}}]'
    )


def test_changes_lists_each_distinct_change_once_in_file_then_object_order() -> None:
    r = Result()
    same = Change("a:1", "a:2", "ns:a")
    r.add_change("b.yaml", ObjectId("x", "ns", "apps/v1", "Deployment"), same, Change("b:1", "b:2", "ns:b"))
    r.add_change("a.yaml", ObjectId("y", "ns", "apps/v1", "Deployment"), same)
    text = "{{ range .Changed.Changes }}{{ .Setter }} {{ end }}|{{ len .Changed.Changes }}"
    assert message.render(text, automation=AUTOMATION, changed=r) == "ns:a ns:b |2"


def test_objects_keeps_the_last_files_changes_for_an_object_in_two_files() -> None:
    r = Result()
    obj = ObjectId("app", "ns", "apps/v1", "Deployment")
    r.add_change("a.yaml", obj, Change("a:1", "a:2", "ns:a"))
    r.add_change("b.yaml", obj, Change("b:1", "b:2", "ns:b"))
    text = "{{ range $o, $c := .Changed.Objects }}{{ $o.Name }}={{ range $c }}{{ .NewValue }}{{ end }}{{ end }}"
    assert message.render(text, automation=AUTOMATION, changed=r) == "app=b:2"


def test_missing_values_print_no_value_and_index_gives_empty() -> None:
    text = "[{{ .Values.nope }}][{{ index .Values \"nope\" }}][{{ .Values.nope | default \"d\" }}]"
    assert message.render(text, automation=AUTOMATION, values={"a": "b"}, changed=podinfo()) == "[<no value>][][d]"
    assert message.render("{{ .Values.x }}", automation=AUTOMATION, changed=podinfo()) == "<no value>"


def test_values_are_a_string_map_so_dict_functions_reject_them_as_in_flux() -> None:
    with pytest.raises(message.CommitMessageError) as e:
        message.render("{{ keys .Values }}", automation=AUTOMATION, values={"a": "b"}, changed=podinfo())
    assert str(e.value).endswith("wrong type for value; expected map[string]interface {}; got map[string]string")


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "text",
    [
        "{{ .Updated }}",
        "{{ range $f, $_ := .Updated.Files }}{{ $f }}{{ end }}",
        # image-automation-controller's old test template (v1beta1 data).
        "Commit summary\n\nAutomation: {{ .AutomationObject }}\n\nFiles:\n"
        "{{ range $filename, $_ := .Updated.Files -}}\n- {{ $filename }}\n{{ end -}}\n",
    ],
)
def test_updated_was_removed_and_stalls_with_flux_message(text: str) -> None:
    with pytest.raises(message.RemovedFieldError) as e:
        message.render(text, automation=AUTOMATION, changed=podinfo())
    assert str(e.value) == (
        "template uses removed '.Updated' field. Please use '.Changed' instead. "
        "See: https://fluxcd.io/flux/components/image/imageupdateautomations/#message-template"
    )
    assert e.value.field == ".Updated"
    assert e.value.hint is not None and ".Updated was removed; use .Changed" in e.value.hint
    assert e.value.automation == AUTOMATION


def test_image_result_was_removed_too() -> None:
    with pytest.raises(message.RemovedFieldError) as e:
        message.render("{{ .Changed.ImageResult }}", automation=AUTOMATION, changed=podinfo())
    assert str(e.value).startswith("template uses removed '.Changed.ImageResult' field.")


def test_a_template_that_does_not_parse_fails_with_flux_prefix() -> None:
    with pytest.raises(message.CommitMessageError) as e:
        message.render("Update {{ .Changed | toYaml }}", automation=AUTOMATION, changed=podinfo())
    assert str(e.value) == (
        'unable to create commit message template from spec: template: commit message:1: function "toYaml" not defined'
    )
    assert e.value.hint is not None and "ImageUpdateAutomation/default/podinfo-update" in e.value.hint


def test_a_template_that_fails_to_run_fails_with_flux_prefix() -> None:
    with pytest.raises(message.CommitMessageError) as e:
        message.render("x\n{{ .Changed.Files }}", automation=AUTOMATION, changed=podinfo())
    assert str(e.value) == (
        "failed to run template from spec: template: commit message:2:11: "
        'executing "commit message" at <.Changed.Files>: can\'t evaluate field Files in type update.Result'
    )
    assert not isinstance(e.value, message.RemovedFieldError)


def test_commit_message_errors_are_fluxpy_errors() -> None:
    from fluxpy.errors import FluxpyError

    assert issubclass(message.CommitMessageError, FluxpyError)
