"""Go's text/template executor (exec.go) and the parsed `Template` it runs.

`_State` walks a parse tree with a dot value and the variable stack, evaluates
pipelines, fields, methods and function calls with Go's argument checks, and
raises `TemplateExecError` with Go's `template: name:line:col: executing ...
at <node>: ...` prefix. `Template` holds the trees and functions a parse
produced and is what callers execute; it lives here because its execution and
error locations are the executor's business.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from fluxpy.image.gotemplate import nodes
from fluxpy.image.gotemplate.builtins import BUILTINS, GoFunc, _untyped
from fluxpy.image.gotemplate.errors import TemplateError, TemplateExecError
from fluxpy.image.gotemplate.gofmt import format_value
from fluxpy.image.gotemplate.strconv import quote
from fluxpy.image.gotemplate.values import (
    _K,
    ANY,
    VALUE,
    GoMap,
    _kind,
    _lookup_field,
    _lookup_method,
    go_type_name,
    sorted_keys,
    truth,
)

MAX_EXEC_DEPTH = 100
"""Nesting limit for `{{template}}` calls (Go allows 100,000; Python's stack does not)."""


class _Missing:
    """No value was piped in (Go's missingVal)."""


_MISSING = _Missing()


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_INT_TYPES = ("int", "int8", "int16", "int32", "int64")
_UINT_TYPES = ("uint", "uint8", "uint16", "uint32", "uint64", "uintptr")


def _can_be_nil(typ: str | None) -> bool:
    return typ is None or typ in (ANY, VALUE) or typ.startswith(("[]", "map[", "*", "func", "chan"))


class _State:
    """One execution of one template (Go's exec.go state)."""

    def __init__(self, tmpl: Template, name: str, out: list[str], depth: int, dot: object) -> None:
        self.tmpl = tmpl
        self.name = name
        self.out = out
        self.depth = depth
        self.node: nodes.Node | None = None
        self.vars: list[list[object]] = [["$", dot]]

    def at(self, node: nodes.Node) -> None:
        self.node = node

    def errorf(self, message: str) -> NoReturn:
        if self.node is None:
            raise TemplateExecError(f"template: {self.name}: {message}")
        location, context = self.tmpl._error_context(self.node)
        raise TemplateExecError(f"template: {location}: executing {quote(self.name)} at <{context}>: {message}")

    # -- variables

    def var_value(self, name: str) -> object:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        self.errorf(f"undefined variable: {name}")

    def set_var(self, name: str, value: object) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        self.errorf(f"undefined variable: {name}")

    # -- walking

    def walk(self, dot: object, node: nodes.Node) -> None:
        self.at(node)
        if isinstance(node, nodes.ListNode):
            for n in node.nodes:
                self.walk(dot, n)
        elif isinstance(node, nodes.TextNode):
            self.out.append(node.text)
        elif isinstance(node, nodes.ActionNode):
            value = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self.print_value(node, value)
        elif isinstance(node, nodes.BranchNode):
            if node.kind == "range":
                self.walk_range(dot, node)
            else:
                self.walk_if_or_with(dot, node)
        elif isinstance(node, nodes.TemplateNode):
            self.walk_template(dot, node)
        elif isinstance(node, nodes.BreakNode):
            raise _Break
        elif isinstance(node, nodes.ContinueNode):
            raise _Continue
        else:  # pragma: no cover - the parser makes no other nodes
            self.errorf(f"unknown node: {node}")

    def walk_if_or_with(self, dot: object, node: nodes.BranchNode) -> None:
        mark = len(self.vars)
        try:
            value = self.eval_pipeline(dot, node.pipe)
            if truth(value):
                self.walk(value if node.kind == "with" else dot, node.list)
            elif node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            del self.vars[mark:]

    def walk_range(self, dot: object, node: nodes.BranchNode) -> None:
        self.at(node)
        outer = len(self.vars)
        try:
            value = self.eval_pipeline(dot, node.pipe)
            mark = len(self.vars)
            decl = node.pipe.decl

            def one(index: object, elem: object) -> None:
                if decl:
                    if node.pipe.is_assign:
                        self.set_var(decl[0].ident[0], index if len(decl) > 1 else elem)
                    else:
                        self.vars[-1][1] = elem
                if len(decl) > 1:
                    if node.pipe.is_assign:
                        self.set_var(decl[1].ident[0], elem)
                    else:
                        self.vars[-2][1] = index
                try:
                    self.walk(elem, node.list)
                except _Continue:
                    pass
                finally:
                    del self.vars[mark:]

            try:
                if self._range_values(value, node, one):
                    return
            except _Break:
                return
            if node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            del self.vars[outer:]

    def _range_values(self, value: object, node: nodes.BranchNode, one: Callable[[object, object], None]) -> bool:
        """Run the body once per element; False when there was nothing to range over."""
        k = _kind(value)
        if k is _K.SLICE:
            items = list(value)  # type: ignore[call-overload]
            for i, elem in enumerate(items):
                one(i, elem)
            return bool(items)
        if k is _K.MAP:
            m: Mapping[Any, Any] = value  # type: ignore[assignment]
            for key in sorted_keys(m):
                one(key, m[key])
            return len(m) > 0
        if k is _K.INT:
            if len(node.pipe.decl) > 1:
                self.errorf(f"can't use {format_value(value)} to iterate over more than one variable")
            count: int = value  # type: ignore[assignment]
            for i in range(count):
                one(i, i)
            return bool(count > 0)
        if k is _K.INVALID:
            return False
        self.errorf(f"range can't iterate over {format_value(value)}")

    def walk_template(self, dot: object, node: nodes.TemplateNode) -> None:
        self.at(node)
        tree = self.tmpl._trees.get(node.name)
        if tree is None:
            self.errorf(f"template {quote(node.name)} not defined")
        if self.depth >= MAX_EXEC_DEPTH:
            self.errorf(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})")
        value = self.eval_pipeline(dot, node.pipe)
        _State(self.tmpl, node.name, self.out, self.depth + 1, value).walk(value, tree)

    def print_value(self, node: nodes.Node, value: object) -> None:
        self.at(node)
        if value is None:
            self.out.append("<no value>")
            return
        if _kind(value) is _K.FUNC:
            self.errorf(f"can't print {node} of type {go_type_name(value)}")
        self.out.append(format_value(value))

    # -- evaluation

    def eval_pipeline(self, dot: object, pipe: nodes.PipeNode | None) -> object:
        if pipe is None:
            return None
        self.at(pipe)
        value: object = _MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
        for var in pipe.decl:
            if pipe.is_assign:
                self.set_var(var.ident[0], value)
            else:
                self.vars.append([var.ident[0], value])
        return value

    def not_a_function(self, args: list[nodes.Node], final: object) -> None:
        if len(args) > 1 or final is not _MISSING:
            self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: object, cmd: nodes.CommandNode, final: object) -> object:
        first = cmd.args[0]
        if isinstance(first, nodes.FieldNode):
            return self.eval_field_node(dot, first, cmd.args, final)
        if isinstance(first, nodes.ChainNode):
            return self.eval_chain_node(dot, first, cmd.args, final)
        if isinstance(first, nodes.IdentifierNode):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, nodes.PipeNode):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if isinstance(first, nodes.VariableNode):
            return self.eval_variable_node(dot, first, cmd.args, final)
        self.at(first)
        self.not_a_function(cmd.args, final)
        if isinstance(first, nodes.BoolNode):
            return first.value
        if isinstance(first, nodes.DotNode):
            return dot
        if isinstance(first, nodes.NilNode):
            self.errorf("nil is not a command")
        if isinstance(first, nodes.NumberNode):
            return self.ideal_constant(first)
        if isinstance(first, nodes.StringNode):
            return first.text
        self.errorf(f"can't evaluate command {quote(str(first))}")  # pragma: no cover

    def ideal_constant(self, n: nodes.NumberNode) -> object:
        self.at(n)
        is_hex_int = len(n.text) > 2 and n.text[0] == "0" and n.text[1] in "xX" and not any(c in n.text for c in "pP")
        if n.is_float and not is_hex_int and not n.text.startswith("'") and any(c in n.text for c in ".eEpP"):
            return n.float_value
        if n.is_int:
            return n.int_value
        if n.is_uint:
            self.errorf(f"{n.text} overflows int")
        return None

    def eval_field_node(
        self, dot: object, node: nodes.FieldNode, args: list[nodes.Node] | None, final: object
    ) -> object:
        self.at(node)
        return self.eval_field_chain(dot, dot, node, node.ident, args, final)

    def eval_chain_node(
        self, dot: object, chain: nodes.ChainNode, args: list[nodes.Node] | None, final: object
    ) -> object:
        self.at(chain)
        if isinstance(chain.node, nodes.NilNode):
            self.errorf(f"indirection through explicit nil in {chain}")
        receiver = self.eval_arg(dot, None, chain.node)
        return self.eval_field_chain(dot, receiver, chain, chain.fields, args, final)

    def eval_variable_node(
        self, dot: object, var: nodes.VariableNode, args: list[nodes.Node] | None, final: object
    ) -> object:
        self.at(var)
        value = self.var_value(var.ident[0])
        if len(var.ident) == 1:
            self.not_a_function(args or [var], final)
            return value
        return self.eval_field_chain(dot, value, var, var.ident[1:], args, final)

    def eval_field_chain(
        self,
        dot: object,
        receiver: object,
        node: nodes.Node,
        ident: list[str],
        args: list[nodes.Node] | None,
        final: object,
    ) -> object:
        for name in ident[:-1]:
            receiver = self.eval_field(dot, name, node, None, _MISSING, receiver)
        return self.eval_field(dot, ident[-1], node, args, final, receiver)

    def eval_field(
        self,
        dot: object,
        name: str,
        node: nodes.Node,
        args: list[nodes.Node] | None,
        final: object,
        receiver: object,
    ) -> object:
        if receiver is None:
            return None
        method = _lookup_method(receiver, name)
        if method is not None:
            return self.eval_call(dot, _untyped(method), False, node, name, args, final)
        has_args = (args is not None and len(args) > 1) or final is not _MISSING
        k = _kind(receiver)
        if k is _K.STRUCT:
            found, value = _lookup_field(receiver, name)
            if found:
                if has_args:
                    self.errorf(f"{name} has arguments but cannot be invoked as function")
                return value
        elif k is _K.MAP:
            m: Mapping[Any, Any] = receiver  # type: ignore[assignment]
            key_type = m.key_type if isinstance(m, GoMap) else "string"
            if key_type in ("string", ANY):
                if has_args:
                    self.errorf(f"{name} is not a method but has arguments")
                return m.get(name)
        self.errorf(f"can't evaluate field {name} in type {go_type_name(receiver)}")

    def eval_function(
        self,
        dot: object,
        node: nodes.IdentifierNode,
        cmd: nodes.Node,
        args: list[nodes.Node] | None,
        final: object,
    ) -> object:
        self.at(node)
        fn = self.tmpl._funcs.get(node.name)
        builtin = fn is None
        if fn is None:
            fn = BUILTINS.get(node.name)
        if fn is None:
            self.errorf(f"{quote(node.name)} is not a defined function")
        return self.eval_call(dot, fn, builtin, cmd, node.name, args, final)

    def eval_call(
        self,
        dot: object,
        fn: GoFunc,
        builtin: bool,
        node: nodes.Node,
        name: str,
        args: list[nodes.Node] | None,
        final: object,
    ) -> object:
        argn = args[1:] if args is not None else []
        num_in = len(argn) + (0 if final is _MISSING else 1)
        num_params = len(fn.params) + (1 if fn.variadic is not None else 0)
        if fn.variadic is not None:
            num_fixed = len(fn.params)
            if num_in < num_fixed:
                self.errorf(f"wrong number of args for {name}: want at least {num_fixed} got {len(argn)}")
        else:
            num_fixed = len(argn)
            if num_in != num_params:
                self.errorf(f"wrong number of args for {name}: want {num_params} got {num_in}")

        if builtin and name in ("and", "or"):
            value: object = None
            for arg in argn:
                value = self.eval_arg(dot, VALUE, arg)
                if truth(value) == (name == "or"):
                    return value
            if final is not _MISSING:
                value = self.validate_type(final, VALUE)
            return value

        argv: list[object] = []
        i = 0
        while i < num_fixed and i < len(argn):
            argv.append(self.eval_arg(dot, fn.params[i], argn[i]))
            i += 1
        if fn.variadic is not None:
            for arg in argn[i:]:
                argv.append(self.eval_arg(dot, fn.variadic, arg))
        if final is not _MISSING:
            if fn.variadic is None:
                typ = fn.params[-1]
            elif num_in - 1 < num_fixed:
                typ = fn.params[num_in - 1]
            else:
                typ = fn.variadic
            argv.append(self.validate_type(final, typ))
        if builtin and name == "call":
            callee = str(argn[0]) if argn else format_value(final)
            argv.insert(0, callee)
        try:
            return fn.impl(*argv)
        except TemplateError:
            raise
        except RecursionError:
            raise
        except Exception as e:  # noqa: BLE001 - Go recovers any panic of a called function into an error
            self.at(node)
            self.errorf(f"error calling {name}: {e}")

    def validate_type(self, value: object, typ: str | None) -> object:
        if value is None:
            if _can_be_nil(typ):
                return None
            self.errorf(f"invalid value; expected {typ}")
        if typ is None or typ in (ANY, VALUE):
            return value
        got = go_type_name(value)
        if got == typ:
            return value
        self.errorf(f"wrong type for value; expected {typ}; got {got}")

    def eval_arg(self, dot: object, typ: str | None, node: nodes.Node) -> object:
        self.at(node)
        if isinstance(node, nodes.DotNode):
            return self.validate_type(dot, typ)
        if isinstance(node, nodes.NilNode):
            if _can_be_nil(typ):
                return None
            self.errorf(f"cannot assign nil to {typ}")
        if isinstance(node, nodes.FieldNode):
            return self.validate_type(self.eval_field_node(dot, node, [node], _MISSING), typ)
        if isinstance(node, nodes.VariableNode):
            return self.validate_type(self.eval_variable_node(dot, node, None, _MISSING), typ)
        if isinstance(node, nodes.PipeNode):
            return self.validate_type(self.eval_pipeline(dot, node), typ)
        if isinstance(node, nodes.IdentifierNode):
            return self.validate_type(self.eval_function(dot, node, node, None, _MISSING), typ)
        if isinstance(node, nodes.ChainNode):
            return self.validate_type(self.eval_chain_node(dot, node, None, _MISSING), typ)
        if typ is None or typ in (ANY, VALUE):
            if isinstance(node, nodes.BoolNode):
                return node.value
            if isinstance(node, nodes.NumberNode):
                return self.ideal_constant(node)
            if isinstance(node, nodes.StringNode):
                return node.text
        elif typ == "bool":
            if isinstance(node, nodes.BoolNode):
                return node.value
            self.errorf(f"expected bool; found {node}")
        elif typ in ("float64", "float32"):
            if isinstance(node, nodes.NumberNode) and node.is_float:
                return node.float_value
            self.errorf(f"expected float; found {node}")
        elif typ in _INT_TYPES:
            if isinstance(node, nodes.NumberNode) and node.is_int:
                return node.int_value
            self.errorf(f"expected integer; found {node}")
        elif typ in _UINT_TYPES:
            if isinstance(node, nodes.NumberNode) and node.is_uint:
                return node.int_value
            self.errorf(f"expected unsigned integer; found {node}")
        elif typ == "string":
            if isinstance(node, nodes.StringNode):
                return node.text
            self.errorf(f"expected string; found {node}")
        self.errorf(f"can't handle {node} for arg of type {typ}")


class Template:
    """A parsed template and the templates it defines; `execute` renders it."""

    def __init__(self, name: str, text: str, trees: dict[str, nodes.ListNode], funcs: Mapping[str, GoFunc]) -> None:
        self.name = name
        self.text = text
        self._trees = trees
        self._funcs = funcs

    @property
    def defined(self) -> tuple[str, ...]:
        """The names of the templates available to `{{template}}`, the main one included."""
        return tuple(sorted(self._trees))

    def execute(self, data: object, *, name: str | None = None) -> str:
        """Render the template (or the defined template `name`) with `data` as dot and `$`.

        Raises:
            TemplateExecError: with Go's message, e.g. `template: msg:1:2: executing
                "msg" at <.Foo>: can't evaluate field Foo in type main.Data`.
        """
        name = self.name if name is None else name
        tree = self._trees.get(name)
        out: list[str] = []
        state = _State(self, name, out, 0, data)
        if tree is None:
            state.errorf(f"{quote(name)} is an incomplete or empty template")
        try:
            state.walk(data, tree)
        except RecursionError:
            raise TemplateExecError(
                f"template: {name}: exceeded maximum template depth (nesting too deep for fluxpy)"
            ) from None
        return "".join(out)

    def _error_context(self, node: nodes.Node) -> tuple[str, str]:
        text = self.text[: node.pos]
        nl = text.rfind("\n")
        col = node.pos if nl < 0 else node.pos - (nl + 1)
        context = str(node)
        if len(context) > 20:
            context = context[:20] + "..."
        return f"{self.name}:{text.count(chr(10)) + 1}:{col}", context
