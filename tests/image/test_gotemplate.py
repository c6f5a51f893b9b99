"""Go `text/template` semantics and Sprig functions (`fluxpy.image.gotemplate`, `fluxpy.image.sprig`).

Covers: `{{-`/`-}}` trimming (and `{{-3}}` being a number), comments; literals
(strings with escapes, raw strings, chars, Go number syntax); field chains on
maps and structs, embedded-field promotion, niladic and argument-taking
methods; pipelines, parenthesised calls and `(pipe).Field`; `if`/`else if`,
`with`/`else with`, `range` over slices, maps (sorted keys, numeric and
struct keys), ints and nil with `else`, `break` and `continue`; variable
declaration, assignment and scope at parse and at run time; `define`,
`template`, `block`; the builtins (`and`/`or` short-circuit, `not`, `len` in
bytes, `index`, `slice`, `eq` with several operands, ordered comparisons,
`print`/`println` spacing, `html`, `js`, `urlquery`, `call`); `fmt` verbs,
flags, widths, precisions, argument indexes and the `%!` error forms; Go's
printing of maps, slices, structs, Stringers and nil; missing map keys
(`<no value>`) versus `index` zero values; parse and execution errors in Go's
words with Go's line and column; and the Sprig functions Flux users reach for,
with Sprig's argument order and Go's type checks.

Every expected string is what Go 1.22+ prints for the same template and data
(worked out from Go's text/template, fmt and Sprig v3 sources; examples marked
"Go doc" are copied from the Go or Sprig documentation).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import ClassVar

import pytest

from fluxpy.image import gotemplate, sprig
from fluxpy.image.gotemplate import GoMap, GoSlice, TemplateExecError, TemplateParseError, go_field


def run(text: str, data: object = None) -> str:
    return gotemplate.render(text, data, name="msg", funcs=sprig.FUNCS)


def run_plain(text: str, data: object = None) -> str:
    """Without Sprig: Go's builtins only (Sprig's `slice` replaces Go's)."""
    return gotemplate.render(text, data, name="msg")


@dataclass(frozen=True)
class Point:
    __go_type__: ClassVar[str] = "main.Point"
    X: int
    Y: int


@dataclass(frozen=True)
class Named:
    __go_type__: ClassVar[str] = "main.Named"
    N: int

    def String(self) -> str:  # noqa: N802 - a Go Stringer
        return f"N({self.N})"


@dataclass(frozen=True)
class Inner:
    __go_type__: ClassVar[str] = "main.Inner"
    Value: str


@dataclass(frozen=True)
class Outer:
    __go_type__: ClassVar[str] = "main.Outer"
    Inner: Inner = field(metadata=go_field(embedded=True))
    Count: int = 3

    def Greet(self, name: str) -> str:  # noqa: N802
        return f"hi {name}"

    def Make(self) -> Point:  # noqa: N802
        return Point(7, 8)

    def Fail(self) -> str:  # noqa: N802
        raise gotemplate.GoError("boom")


# --------------------------------------------------------------------------- text and trimming


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("{{23 -}} < {{- 45}}", "23<45"),  # Go doc
        ("a  \n\t{{- 1 }}  b", "a1  b"),
        ("a{{ 1 -}} \n\n b", "a1b"),
        ("{{-3}}", "-3"),  # no space after `-`: a number, not a trim marker (Go doc)
        ("{{ 3 -}}\n{{- 4 }}", "34"),
        ("a{{/* a comment */}}b", "ab"),
        ("a \n{{- /* a comment */ -}}\n b", "ab"),
        ("x{{/* multi\nline */}}y", "xy"),
        ("no actions at all\n", "no actions at all\n"),
        ("{{ `raw\\n` }}", "raw\\n"),
        ('{{ "tab\\there\\u00e9\\x41\\101" }}', "tab\there\u00e9AA"),
        ("{{ 'a' }} {{ '\\n' }} {{ '\\u00e9' }}", "97 10 233"),
        ("{{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 1_000 }} {{ -5 }}", "31 15 15 5 1000 -5"),
        ("{{ 1e3 }} {{ 1.0 }} {{ 1.5 }} {{ -1.5e-7 }} {{ 1e21 }} {{ 0x10p0 }}", "1000 1 1.5 -1.5e-07 1e+21 16"),
        ("{{ true }} {{ false }}", "true false"),
        ("{{ .A\n   | printf \"%s!\" }}", "x!"),
    ],
)
def test_text_literals_and_trim_markers_print_as_go_does(text: str, want: str) -> None:
    assert run(text, {"A": "x"}) == want


# --------------------------------------------------------------------------- values and printing


def test_maps_print_with_sorted_keys_and_nested_values() -> None:
    data = {"b": [1, "x", None], "a": {"z": None, "c": True}, "e": {}, "d": []}
    assert run("{{ . }}", data) == "map[a:map[c:true z:<nil>] b:[1 x <nil>] d:[] e:map[]]"


def test_struct_values_print_as_fields_in_order() -> None:
    p = Point(1, 2)
    assert run("{{ . }}|{{ printf \"%+v|%#v|%T\" . . . }}", p) == "{1 2}|{X:1 Y:2}|main.Point{X:1, Y:2}|main.Point"


def test_stringers_print_through_their_string_method_except_for_non_string_verbs() -> None:
    assert run('{{ . }} {{ printf "%s|%v|%q|%d" . . . . }}', Named(4)) == 'N(4) N(4)|N(4)|"N(4)"|{4}'
    assert run("{{ . }}", [Named(1), Named(2)]) == "[N(1) N(2)]"


def test_missing_map_key_prints_no_value_and_index_gives_the_zero_value() -> None:
    values = GoMap({"a": "1"}, go_type="map[string]string", zero="")
    data = {"Values": values, "M": {}}
    assert run("[{{ .Values.x }}][{{ index .Values \"x\" }}][{{ .M.x }}][{{ index .M \"x\" }}]", data) == (
        "[<no value>][][<no value>][<no value>]"
    )
    assert run("{{ .Values.x.y.z }}", data) == "<no value>"


def test_nil_data_prints_no_value_and_nil_maps_and_slices_print_empty() -> None:
    assert run("{{ . }}", None) == "<no value>"
    assert run("{{ .M }} {{ .S }}", {"M": GoMap(None), "S": GoSlice(None)}) == "map[] []"


# --------------------------------------------------------------------------- fields, methods, pipelines


def test_fields_and_promoted_fields_and_methods_resolve_like_go() -> None:
    data = Outer(Inner("v"))
    assert run("{{ .Value }} {{ .Inner.Value }} {{ .Count }} {{ .Make.X }} {{ .Make }}", data) == "v v 3 7 {7 8}"


def test_methods_take_arguments_and_piped_values() -> None:
    data = Outer(Inner("v"))
    assert run('{{ .Greet "bob" }}|{{ "amy" | .Greet }}|{{ $.Greet "x" }}', data) == "hi bob|hi amy|hi x"


def test_pipelines_pass_the_previous_value_as_the_last_argument() -> None:
    assert run('{{ "x" | printf "%s-%s" "y" }}') == "y-x"
    assert run('{{ (printf "%d" 345) | len }}') == "3"
    assert run("{{ (.M).a }} {{ (index .L 0).X }}", {"M": {"a": 1}, "L": [Point(5, 6)]}) == "1 5"


def test_call_invokes_a_function_value() -> None:
    assert run("{{ call .F 2 3 }}", {"F": lambda a, b: a * b}) == "6"


# --------------------------------------------------------------------------- control structures


@pytest.mark.parametrize(
    ("text", "data", "want"),
    [
        ("{{ if .A }}y{{ else }}n{{ end }}", {"A": 0}, "n"),
        ("{{ if .A }}y{{ else }}n{{ end }}", {"A": ""}, "n"),
        ("{{ if .A }}y{{ else }}n{{ end }}", {"A": []}, "n"),
        ("{{ if .A }}y{{ else }}n{{ end }}", {"A": {}}, "n"),
        ("{{ if .A }}y{{ else }}n{{ end }}", {}, "n"),
        ("{{ if .A }}y{{ else }}n{{ end }}", {"A": Point(0, 0)}, "y"),
        ("{{ if .A }}y{{ else }}n{{ end }}", {"A": 0.5}, "y"),
        ("{{ if eq .A 1 }}one{{ else if eq .A 2 }}two{{ else }}many{{ end }}", {"A": 2}, "two"),
        ("{{ if eq .A 1 }}one{{ else if eq .A 2 }}two{{ else }}many{{ end }}", {"A": 9}, "many"),
        ("{{ with .A }}[{{ . }}]{{ else }}none{{ end }}", {"A": "x"}, "[x]"),
        ("{{ with .A }}[{{ . }}]{{ else }}none{{ end }}", {"A": ""}, "none"),
        ("{{ with .A }}a{{ else with .B }}b{{ . }}{{ else }}c{{ end }}", {"B": 2}, "b2"),
        ("{{ with $x := .A }}{{ $x }}{{ . }}{{ end }}", {"A": "q"}, "qq"),
    ],
)
def test_if_and_with_follow_go_truth(text: str, data: object, want: str) -> None:
    assert run(text, data) == want


@pytest.mark.parametrize(
    ("text", "data", "want"),
    [
        ("{{ range . }}{{ . }},{{ end }}", ["a", "b"], "a,b,"),
        ("{{ range $i, $e := . }}{{ $i }}={{ $e }};{{ end }}", ["a", "b"], "0=a;1=b;"),
        ("{{ range $e := . }}{{ $e }}{{ end }}", ["a", "b"], "ab"),
        ("{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}", {"b": 2, "c": 3, "a": 1}, "a=1;b=2;c=3;"),
        ("{{ range . }}{{ . }}{{ end }}", {"b": 2, "a": 1}, "12"),
        ("{{ range $k, $v := . }}{{ $k }} {{ end }}", GoMap({10: "x", 9: "y", 100: "z"}, key_type="int"), "9 10 100 "),
        ("{{ range . }}x{{ else }}empty{{ end }}", [], "empty"),
        ("{{ range . }}x{{ else }}empty{{ end }}", {}, "empty"),
        ("{{ range .Nope }}x{{ else }}empty{{ end }}", {}, "empty"),
        ("{{ range 3 }}{{ . }}{{ end }}", None, "012"),
        ("{{ range $i := 2 }}{{ $i }}{{ end }}", None, "01"),
        (
            "{{ range . }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}",
            [1, 2, 3, 4, 5],
            "13",
        ),
        ("{{ range . }}{{ $.Title }}{{ . }}{{ end }}", GoMap({"Title": "T"}), "TT"),
        ("{{ range .L }}{{ $.T }}{{ . }} {{ end }}", {"L": [1, 2], "T": "t"}, "t1 t2 "),
    ],
)
def test_range_iterates_slices_maps_in_key_order_and_ints(text: str, data: object, want: str) -> None:
    assert run(text, data) == want


def test_range_over_struct_keys_sorts_field_by_field() -> None:
    data = GoMap({Point(2, 1): "c", Point(1, 9): "b", Point(1, 2): "a"}, key_type="main.Point")
    assert run("{{ range $k, $v := . }}{{ $k }}{{ $v }} {{ end }}", data) == "{1 2}a {1 9}b {2 1}c "
    assert run("{{ . }}", data) == "map[{1 2}:a {1 9}:b {2 1}:c]"


# --------------------------------------------------------------------------- variables


def test_assignment_updates_the_variable_in_its_declaring_scope() -> None:
    assert run("{{ $x := 1 }}{{ range . }}{{ $x = . }}{{ end }}{{ $x }}", [4, 5]) == "5"
    assert run("{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}", None) == "21"


def test_a_variable_ends_with_its_control_structure() -> None:
    with pytest.raises(TemplateParseError) as e:
        run("{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}")
    assert str(e.value) == 'template: msg:1: undefined variable "$x"'


def test_a_variable_declared_in_the_if_branch_is_unset_in_the_else_branch_at_run_time() -> None:
    with pytest.raises(TemplateExecError) as e:
        run("{{if false}}{{$x := 1}}{{else}}{{$x}}{{end}}")
    assert str(e.value) == 'template: msg:1:33: executing "msg" at <$x>: undefined variable: $x'


# --------------------------------------------------------------------------- define, template, block


def test_defined_templates_run_with_their_own_dot_and_no_variables() -> None:
    assert run('{{ define "T" }}Hello, {{ . }}!{{ end }}{{ template "T" "you" }}') == "Hello, you!"
    assert run('{{ define "T" }}[{{ . }}]{{ end }}{{ template "T" }}', 5) == "[<no value>]"
    assert run('{{ block "B" . }}b{{ . }}{{ end }}', 1) == "b1"
    with pytest.raises(TemplateParseError, match='undefined variable "\\$x"'):
        run('{{ $x := 1 }}{{ define "T" }}{{ $x }}{{ end }}')


def test_redefining_a_template_in_one_text_is_an_error() -> None:
    with pytest.raises(TemplateParseError) as e:
        run('{{ define "a" }}x{{ end }}{{ define "a" }}y{{ end }}')
    assert str(e.value) == 'template: msg:1: template: multiple definition of template "a"'


def test_unbounded_template_recursion_stops_with_an_error() -> None:
    with pytest.raises(TemplateExecError, match="exceeded maximum template depth"):
        run('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}')


# --------------------------------------------------------------------------- builtins


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("{{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 \"\" \"x\" }} {{ or 0 \"\" }}", "0 2 x "),
        ("{{ or 1 (len 3) }} {{ and 0 (len 3) }}", "1 0"),  # short-circuit: `len 3` would fail
        ("{{ not 0 }} {{ not .Missing }} {{ not \"a\" }}", "true true false"),
        ('{{ len "héllo" }} {{ len .L }} {{ len .M }}', "6 3 1"),  # len counts bytes
        ("{{ index .L 1 }} {{ index .N 1 0 }} {{ index .M \"a\" }} {{ index \"abc\" 1 }}", "2 3 1 98"),
        ('{{ slice "hello" 1 3 }} {{ slice .L 1 }} {{ slice .L }} {{ slice .L 0 1 2 }}', "el [2 3] [1 2 3] [1]"),
        ("{{ eq 2 1 2 3 }} {{ eq \"a\" \"b\" }} {{ ne 1 2 }} {{ eq .Missing \"x\" }}", "true false true false"),
        ('{{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }}', "true true true false"),
        ('{{ print "a" 1 2 "b" }}|{{ print 1 2 }}|{{ print .Missing }}', "a1 2b|1 2|<nil>"),
        ('{{ println "a" 1 }}', "a 1\n"),
        ("{{ html \"<a href='x'>&\\\"\" }}", "&lt;a href=&#39;x&#39;&gt;&amp;&#34;"),
        ("{{ html .Missing }}", "&lt;no value&gt;"),
        ("{{ js \"it's <b>&=\\\\\" }}", "it\\'s \\u003Cb\\u003E\\u0026\\u003D\\\\"),
        ('{{ urlquery "a b&c=d/é" }}', "a+b%26c%3Dd%2F%C3%A9"),
    ],
)
def test_builtins_behave_as_go(text: str, want: str) -> None:
    assert run_plain(text, {"L": [1, 2, 3], "N": [[1], [3, 4]], "M": {"a": 1}}) == want


# --------------------------------------------------------------------------- fmt


@pytest.mark.parametrize(
    ("fmt", "args", "want"),
    [
        ('"%s|%d|%v|%t|%q"', '"a" 42 .L true "hi\\n"', 'a|42|[1 2 3]|true|"hi\\n"'),
        ('"%5d|%-5d|%05d|%+d|% d"', "42 42 42 42 42", "   42|42   |00042|+42| 42"),
        ('"%x|%X|%#x|%o|%#o|%O|%b|%c|%U|%q"', "255 255 255 8 8 8 5 65 128512 97", "ff|FF|0xff|10|010|0o10|101|A|U+1F600|'a'"),
        ('"%x|% x|%X"', '"hello" "hi" "hi"', "68656c6c6f|68 69|6869"),
        ('"%10s|%-10s|%.2s|%5.1s|"', '"abc" "abc" "abc" "abc"', "       abc|abc       |ab|    a|"),
        ('"%f|%.2f|%8.3f|%08.3f|%e|%g|%.3g"', "3.14159 3.14159 3.14159 -3.14159 1234.5678 1e-07 1234.5678",
         "3.141590|3.14|   3.142|-003.142|1.234568e+03|1e-07|1.23e+03"),
        ('"%v %v %v %v %v"', "1e6 123456.0 0.0001 0.00001 100.0", "1e+06 123456 0.0001 1e-05 100"),
        ('"%T %T %T %T %T %T"', '1 "a" 1.5 true .L .M', "int string float64 bool []interface {} map[string]interface {}"),
        ('"%+q|%#q"', '"héllo" "back"', '"h\\u00e9llo"|`back`'),
        ('"%[2]s %[1]s"', '"a" "b"', "b a"),
        ('"%*d|%-*d|"', "5 42 4 7", "   42|7   |"),
        ('"%d %s"', '"x" 1', "%!d(string=x) %!s(int=1)"),
        ('"%d %d"', "1", "1 %!d(MISSING)"),
        ('"%d"', '1 2 "x"', "1%!(EXTRA int=2, string=x)"),
        ('"%s|%v|%d"', "nil nil .L", "%!s(<nil>)|<nil>|[1 2 3]"),
        ('"%z|100%%|%"', "1", "%!z(int=1)|100%|%!(NOVERB)"),
        ('"%s"', ".L", "[%!s(int=1) %!s(int=2) %!s(int=3)]"),
        ('"%5t|%v"', "true .M", " true|map[a:1]"),
    ],
)
def test_printf_follows_go_fmt(fmt: str, args: str, want: str) -> None:
    assert run_plain("{{ printf " + fmt + " " + args + " }}", {"L": [1, 2, 3], "M": {"a": 1}}) == want


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ foo }}", 'template: msg:1: function "foo" not defined'),
        ("line one\n\n{{ .A | nope }}", 'template: msg:3: function "nope" not defined'),
        ("{{ end }}", "template: msg:1: unexpected {{end}}"),
        ("{{ else }}", "template: msg:1: unexpected {{else}}"),
        ("{{ if .A }}x", "template: msg:1: unexpected EOF"),
        ("{{ .A", "template: msg:1: unclosed action"),
        ("{{ $x }}", 'template: msg:1: undefined variable "$x"'),
        ('{{ "abc }}', "template: msg:1: unterminated quoted string"),
        ("{{ 3x }}", 'template: msg:1: bad number syntax: "3x"'),
        ("{{ .A@ }}", "template: msg:1: bad character U+0040 '@'"),
        ("{{ @ }}", 'template: msg:1: unexpected "@" in command'),
        ("{{ if }}{{ end }}", "template: msg:1: missing value for if"),
        ("{{ .A | 1 }}", "template: msg:1: non executable command in pipeline stage 2"),
        ("{{ range $a, $b, $c := . }}{{ end }}", "template: msg:1: too many declarations in range"),
        ("{{ break }}", "template: msg:1: {{break}} outside {{range}}"),
        ("{{/* x }}", "template: msg:1: unclosed comment"),
        ("{{/* x */ .A }}", "template: msg:1: comment ends before closing delimiter"),
        ("{{ (1 }}", "template: msg:1: unclosed left paren"),
        ("{{ 1.A }}", 'template: msg:1: bad number syntax: "1.A"'),
        ('{{ "a".A }}', 'template: msg:1: unexpected . after term "\\"a\\""'),
        ('{{ "\\q" }}', "template: msg:1: invalid syntax"),
        ("{{ toYaml . }}", 'template: msg:1: function "toYaml" not defined'),  # not Sprig: Flux has no toYaml
        ("{{ now }}", 'template: msg:1: function "now" not defined'),  # not hermetic
    ],
)
def test_parse_errors_use_go_wording(text: str, message: str) -> None:
    with pytest.raises(TemplateParseError) as e:
        run(text)
    assert str(e.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ .A.B }}", 'template: msg:1:5: executing "msg" at <.A.B>: can\'t evaluate field B in type string'),
        ("x\n {{ .P.Z }}", 'template: msg:2:6: executing "msg" at <.P.Z>: can\'t evaluate field Z in type main.Point'),
        ("{{ .A 1 }}", 'template: msg:1:3: executing "msg" at <.A>: A is not a method but has arguments'),
        ("{{ .P.X 1 }}", 'template: msg:1:5: executing "msg" at <.P.X>: X has arguments but cannot be invoked as function'),
        ("{{ .O.Count 1 }}", 'template: msg:1:5: executing "msg" at <.O.Count>: Count has arguments but cannot be invoked as function'),
        ("{{ .O.Make 1 }}", 'template: msg:1:5: executing "msg" at <.O.Make>: wrong number of args for Make: want 0 got 1'),
        ("{{ .O.Fail }}", 'template: msg:1:5: executing "msg" at <.O.Fail>: error calling Fail: boom'),
        ("{{ nil }}", 'template: msg:1:3: executing "msg" at <nil>: nil is not a command'),
        ("{{ 1 2 }}", 'template: msg:1:3: executing "msg" at <1>: can\'t give argument to non-function 1'),
        ("{{ index .L 5 }}", 'template: msg:1:3: executing "msg" at <index .L 5>: error calling index: index out of range: 5'),
        ("{{ len 3 }}", 'template: msg:1:3: executing "msg" at <len 3>: error calling len: len of type int'),
        ('{{ eq 1 "a" }}', 'template: msg:1:3: executing "msg" at <eq 1 "a">: error calling eq: incompatible types for comparison'),
        ("{{ lt true false }}", 'template: msg:1:3: executing "msg" at <lt true false>: error calling lt: invalid type for comparison'),
        ("{{ printf 1 }}", 'template: msg:1:10: executing "msg" at <1>: expected string; found 1'),
        ("{{ printf }}", 'template: msg:1:3: executing "msg" at <printf>: wrong number of args for printf: want at least 1 got 0'),
        ("{{ range 1.5 }}{{ end }}", 'template: msg:1:9: executing "msg" at <1.5>: range can\'t iterate over 1.5'),
        ('{{ template "x" }}', 'template: msg:1:12: executing "msg" at <{{template "x"}}>: template "x" not defined'),
        ("{{ range $k, $v := 3 }}{{ end }}", 'template: msg:1:19: executing "msg" at <3>: can\'t use 3 to iterate over more than one variable'),
        ('{{ upper 1 }}', 'template: msg:1:9: executing "msg" at <1>: expected string; found 1'),
        ('{{ .N | upper }}', 'template: msg:1:8: executing "msg" at <upper>: wrong type for value; expected string; got int'),
        ('{{ .Missing | upper }}', 'template: msg:1:14: executing "msg" at <upper>: invalid value; expected string'),
        ('{{ keys .V }}', 'template: msg:1:8: executing "msg" at <.V>: wrong type for value; expected map[string]interface {}; got map[string]string'),
        ('{{ fail "boom" }}', 'template: msg:1:3: executing "msg" at <fail "boom">: error calling fail: boom'),
    ],
)
def test_execution_errors_use_go_wording_and_position(text: str, message: str) -> None:
    data = {
        "A": "x",
        "P": Point(1, 2),
        "O": Outer(Inner("v")),
        "L": [1],
        "N": 5,
        "V": GoMap({"a": "b"}, go_type="map[string]string", zero=""),
    }
    with pytest.raises(TemplateExecError) as e:
        run(text, data)
    assert str(e.value) == message


def test_template_errors_are_fluxpy_errors() -> None:
    from fluxpy.errors import FluxpyError

    assert issubclass(gotemplate.TemplateError, FluxpyError)


# --------------------------------------------------------------------------- Sprig


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ('{{ "  a b \\n" | trim }}|{{ "v1.2" | trimPrefix "v" }}|{{ "a.yaml" | trimSuffix ".yaml" }}', "a b|1.2|a"),
        ('{{ "$$a$" | trimAll "$" }}|{{ upper "abc" }}|{{ lower "ABC" }}|{{ title "hello-world foo_bar" }}', "a|ABC|abc|Hello-World Foo_bar"),
        ('{{ untitle "Hello World" }}|{{ swapcase "aBc" }}|{{ initials "hello big world" }}|{{ nospace "a b\\tc" }}', "hello world|AbC|hbw|abc"),
        ('{{ replace "a" "b" "banana" }}|{{ contains "nan" "banana" }}|{{ hasPrefix "ba" "banana" }}|{{ hasSuffix "x" "banana" }}', "bbnbnb|true|true|false"),
        ('{{ quote "a" 1 nil }}|{{ squote "a" 1 }}|{{ cat "a" nil 1 }}', '"a" "1"|\'a\' \'1\'|a 1'),
        ('{{ repeat 3 "ab" }}|{{ substr 1 3 "hello" }}|{{ substr -1 2 "hello" }}|{{ substr 2 99 "hello" }}', "ababab|el|he|llo"),
        ('{{ trunc 3 "hello" }}|{{ trunc -2 "hello" }}|{{ trunc 9 "hi" }}|{{ abbrev 5 "hello world" }}', "hel|lo|hi|he..."),
        ('{{ abbrevboth 5 10 "1234 5678 9123" }}', "...5678..."),  # Sprig doc
        ('{{ indent 2 "a\\nb" }}|{{ nindent 2 "a" }}', "  a\n  b|\n  a"),
        ('{{ plural "one" "many" 1 }} {{ plural "one" "many" 2 }}', "one many"),
        ('{{ split "/" "a/b/c" }}|{{ (split "/" "a/b")._1 }}|{{ splitList "," "a,b" }}|{{ splitn "/" 2 "a/b/c" }}', "map[_0:a _1:b _2:c]|b|[a b]|map[_0:a _1:b/c]"),
        ('{{ join "," (list 1 "a" nil) }}|{{ join "-" .S }}|{{ sortAlpha (list "b" "C" "a") }}', "1,a|x-y|[C a b]"),
        ('{{ default "d" "" }}|{{ default "d" "v" }}|{{ .Missing | default "d" }}|{{ default "d" 0 }}|{{ default "d" .P }}', "d|v|d|d|{1 2}"),
        ('{{ empty "" }} {{ empty 0 }} {{ empty .P }} {{ empty (list) }} {{ empty .Missing }}', "true true false true true"),
        ('{{ coalesce "" 0 "x" "y" }}|{{ ternary "a" "b" true }}|{{ ternary "a" "b" false }}', "x|a|b"),
        ('{{ list 1 "a" }}|{{ dict "b" 1 "a" 2 }}|{{ dict "k" }}', "[1 a]|map[a:2 b:1]|map[k:]"),
        # keys and values: Go's order is random; fluxpy sorts by key
        ('{{ keys (dict "b" 1 "a" 2) }}|{{ values (dict "b" 1 "a" 2) }}|{{ get (dict "a" 1) "a" }}|{{ get (dict) "x" }}|', "[a b]|[2 1]|1||"),
        ('{{ hasKey (dict "a" 1) "a" }}|{{ pick (dict "a" 1 "b" 2) "b" }}|{{ omit (dict "a" 1 "b" 2) "b" }}', "true|map[b:2]|map[a:1]"),
        ('{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $d }}|{{ unset $d "a" }}', "map[a:1 b:2]|map[b:2]"),
        ('{{ first .S }}|{{ last .S }}|{{ rest .S }}|{{ initial .S }}|{{ reverse .S }}', "x|y|[y]|[x]|[y x]"),
        ('{{ uniq (list 1 1 "a" "a" 2) }}|{{ compact (list 1 0 "" "a") }}|{{ without (list 1 2 3) 2 }}|{{ has 2 (list 1 2) }}', "[1 a 2]|[1 a]|[1 3]|true"),
        ('{{ append .S "z" }}|{{ prepend .S "w" }}|{{ concat .S (list 1) }}|{{ slice (list 1 2 3) 1 }}', "[x y z]|[w x y]|[x y 1]|[2 3]"),
        ('{{ first (list) }}|{{ until 3 }}|{{ untilStep 0 10 4 }}', "<no value>|[0 1 2]|[0 4 8]"),
        ('{{ toString 1 }}|{{ toString .P }}|{{ toStrings (list 1 "a") }}|{{ atoi "42" }}|{{ int "12" }}|{{ float64 "1.5" }}', "1|{1 2}|[1 a]|42|12|1.5"),
        ('{{ add 1 2 3 }} {{ add1 1 }} {{ sub 5 2 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ div -7 2 }} {{ mod -7 2 }}', "6 2 3 24 3 -3 -1"),
        ('{{ max 1 5 3 }} {{ min 4 2 8 }} {{ ceil 1.2 }} {{ floor 1.8 }} {{ round 3.14159 2 }}', "5 2 2 1 3.14"),
        ('{{ sha256sum "abc" | trunc 12 }}|{{ sha1sum "abc" | trunc 12 }}|{{ adler32sum "abc" }}', "ba7816bf8f01|a9993e364706|38600999"),
        ('{{ b64enc "hello" }}|{{ b64dec "aGVsbG8=" }}|{{ b32enc "hi" }}|{{ b32dec "NBUQ====" }}', "aGVsbG8=|hello|NBUQ====|hi"),
        ('{{ base "a/b/c.yaml" }}|{{ dir "a/b/c.yaml" }}|{{ ext "c.tar.gz" }}|{{ clean "a//b/../c/" }}|{{ isAbs "/x" }}', "c.yaml|a/b|.gz|a/c|true"),
        ('{{ toJson (dict "b" "<x>" "a" (list 1 2.5 nil true)) }}', '{"a":[1,2.5,null,true],"b":"\\u003cx\\u003e"}'),
        ('{{ toRawJson (dict "b" "<x>") }}|{{ toJson .P }}', '{"b":"<x>"}|{"X":1,"Y":2}'),
        ('{{ toPrettyJson (dict "a" 1 "l" (list 1 2) "e" (dict)) }}', '{\n  "a": 1,\n  "e": {},\n  "l": [\n    1,\n    2\n  ]\n}'),
        ('{{ (fromJson "{\\"a\\":[1,\\"x\\"]}").a }}', "[1 x]"),
        ('{{ regexMatch "^v[0-9]+$" "v12" }} {{ regexMatch "(" "x" }}', "true false"),
        ('{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}|{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }}', "-W-xxW-|---"),  # Go doc
        # Go doc for the first; the second shows Go's empty-match rule
        ('{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}|{{ regexReplaceAll "x*" "abc" "-" }}', "-${1}-${1}-|-a-b-c-"),
        ('{{ regexFindAll "a." "paranormal" -1 }}|{{ regexFindAll "a." "paranormal" 2 }}|{{ regexFind "a." "xaby" }}', "[ar an al]|[ar an]|ab"),  # Go doc
        ('{{ regexSplit "a*" "abaabaccadaaae" 5 }}|{{ regexQuoteMeta "1.5+x" }}', "[ b b c cadaaae]|1\\.5\\+x"),  # Go doc
        ('{{ semverCompare ">=1.2.0" "1.3.0" }} {{ semverCompare "~1.2" "1.3.0" }}', "true false"),
        ('{{ typeOf 1 }} {{ typeOf .S }} {{ kindOf .P }} {{ kindIs "map" (dict) }} {{ typeIs "string" "x" }}', "int []string struct true true"),
        ("{{ .S | len }} {{ deepEqual (list 1 2) (list 1 2) }}", "2 true"),
    ],
)
def test_sprig_functions_match_sprig(text: str, want: str) -> None:
    data = {"S": GoSlice(["x", "y"], go_type="[]string"), "P": Point(1, 2)}
    assert run(text, data) == want


def test_sprig_regexp_errors_name_the_pattern_as_go_does() -> None:
    with pytest.raises(TemplateExecError) as e:
        run('{{ regexReplaceAll "(" "x" "y" }}')
    assert str(e.value).endswith(
        "error calling regexReplaceAll: regexp: Compile(`(`): error parsing regexp: missing closing ): `(`"
    )
    with pytest.raises(TemplateExecError) as e:
        run('{{ mustRegexMatch "(" "x" }}')
    assert str(e.value).endswith("error calling mustRegexMatch: error parsing regexp: missing closing ): `(`")


def test_sha256sum_hashes_the_utf8_bytes() -> None:
    assert run('{{ sha256sum "héllo" }}') == hashlib.sha256("héllo".encode()).hexdigest()
