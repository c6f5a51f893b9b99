"""Go's text/template parser (parse/parse.go): tokens to parse trees.

A recursive-descent parser over the lexer's token list that builds one tree
per template (`define` and `block` add more), checks what Go checks at parse
time (undefined functions and variables, `break` outside `range`, non-executable
pipeline stages) and raises `TemplateParseError` with Go's wording and line.
It needs the builtin function names, since an unknown function is a parse error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NoReturn

from fluxpy.image.gotemplate import nodes
from fluxpy.image.gotemplate.builtins import BUILTINS
from fluxpy.image.gotemplate.errors import TemplateParseError
from fluxpy.image.gotemplate.lex import _LEX_SPACE, _T, _Item
from fluxpy.image.gotemplate.strconv import _unquote, quote


class _Parser:
    """Go's text/template parser (parse.go), over the token list."""

    _OPERAND_START = frozenset(
        {
            _T.BOOL,
            _T.CHAR_CONSTANT,
            _T.COMPLEX,
            _T.DOT,
            _T.FIELD,
            _T.IDENTIFIER,
            _T.NUMBER,
            _T.NIL,
            _T.RAW_STRING,
            _T.STRING,
            _T.VARIABLE,
            _T.LEFT_PAREN,
        }
    )

    def __init__(self, name: str, items: list[_Item], funcs: Mapping[str, object]) -> None:
        self.name = name
        self.items = items
        self.funcs = funcs
        self.i = 0
        self.hi = 0
        self.vars = ["$"]
        self.range_depth = 0
        self.action_line = 0
        self.trees: dict[str, nodes.ListNode] = {}

    # -- token stream

    def next(self) -> _Item:
        item = self.items[min(self.i, len(self.items) - 1)]
        self.hi = max(self.hi, self.i)
        if self.i < len(self.items) - 1:
            self.i += 1
        else:
            self.i = len(self.items)
        return item

    def backup(self) -> None:
        self.i -= 1

    def peek(self) -> _Item:
        item = self.next()
        self.backup()
        return item

    def next_non_space(self) -> _Item:
        while True:
            item = self.next()
            if item.typ is not _T.SPACE:
                return item

    def peek_non_space(self) -> _Item:
        item = self.next_non_space()
        self.backup()
        return item

    # -- errors

    def errorf(self, message: str) -> NoReturn:
        line = self.items[min(self.hi, len(self.items) - 1)].line
        raise TemplateParseError(f"template: {self.name}:{line}: {message}")

    def expect(self, typ: _T, context: str) -> _Item:
        item = self.next_non_space()
        if item.typ is not typ:
            self.unexpected(item, context)
        return item

    def unexpected(self, item: _Item, context: str) -> NoReturn:
        if item.typ is _T.ERROR:
            extra = ""
            if self.action_line and self.action_line != item.line:
                extra = f" in action started at {self.name}:{self.action_line}"
                if item.val.endswith(" action"):
                    extra = extra[len(" in action") :]
            self.errorf(f"{item}{extra}")
        self.errorf(f"unexpected {item} in {context}")

    # -- structure

    def parse(self) -> dict[str, nodes.ListNode]:
        root = nodes.ListNode(self.peek().pos)
        while self.peek().typ is not _T.EOF:
            if self.peek().typ is _T.LEFT_DELIM:
                mark = self.i
                self.next()
                if self.next_non_space().typ is _T.DEFINE:
                    self.parse_definition()
                    continue
                self.i = mark
            node = self.text_or_action()
            if isinstance(node, (nodes.EndNode, nodes.ElseNode)):
                self.errorf(f"unexpected {node}")
            root.nodes.append(node)
        self.add_tree(self.name, root)
        return self.trees

    def add_tree(self, name: str, root: nodes.ListNode) -> None:
        existing = self.trees.get(name)
        if existing is None or _is_empty_tree(existing):
            self.trees[name] = root
        elif not _is_empty_tree(root):
            self.errorf(f"template: multiple definition of template {quote(name)}")

    def parse_definition(self) -> None:
        context = "define clause"
        item = self.next_non_space()
        if item.typ not in (_T.STRING, _T.RAW_STRING):
            self.unexpected(item, context)
        name = self.unquote(item.val)
        self.expect(_T.RIGHT_DELIM, context)
        saved_vars, self.vars = self.vars, ["$"]
        body, end = self.item_list()
        if not isinstance(end, nodes.EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.vars = saved_vars
        self.add_tree(name, body)

    def unquote(self, quoted: str) -> str:
        try:
            return _unquote(quoted)
        except ValueError as e:
            self.errorf(str(e))

    def item_list(self) -> tuple[nodes.ListNode, nodes.Node]:
        lst = nodes.ListNode(self.peek_non_space().pos)
        while self.peek_non_space().typ is not _T.EOF:
            node = self.text_or_action()
            if isinstance(node, (nodes.EndNode, nodes.ElseNode)):
                return lst, node
            lst.nodes.append(node)
        self.errorf("unexpected EOF")

    def text_or_action(self) -> nodes.Node:
        item = self.next_non_space()
        if item.typ is _T.TEXT:
            return nodes.TextNode(item.pos, item.val)
        if item.typ is _T.LEFT_DELIM:
            self.action_line = item.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(item, "input")

    def action(self) -> nodes.Node:
        item = self.next_non_space()
        controls: dict[_T, Callable[[], nodes.Node]] = {
            _T.BLOCK: self.block_control,
            _T.ELSE: self.else_control,
            _T.END: self.end_control,
            _T.IF: lambda: self.branch("if"),
            _T.RANGE: lambda: self.branch("range"),
            _T.TEMPLATE: self.template_control,
            _T.WITH: lambda: self.branch("with"),
        }
        if item.typ in controls:
            return controls[item.typ]()
        if item.typ in (_T.BREAK, _T.CONTINUE):
            return self.loop_control(item)
        self.backup()
        first = self.peek()
        return nodes.ActionNode(first.pos, first.line, self.pipeline("command", _T.RIGHT_DELIM))

    def loop_control(self, item: _Item) -> nodes.Node:
        word = "{{" + item.val + "}}"
        after = self.next_non_space()
        if after.typ is not _T.RIGHT_DELIM:
            self.unexpected(after, word)
        if self.range_depth == 0:
            self.errorf(f"{word} outside {{{{range}}}}")
        return nodes.BreakNode(item.pos) if item.typ is _T.BREAK else nodes.ContinueNode(item.pos)

    def branch(self, context: str) -> nodes.BranchNode:
        saved = len(self.vars)
        try:
            pipe = self.pipeline(context, _T.RIGHT_DELIM)
            if context == "range":
                self.range_depth += 1
            body, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list: nodes.ListNode | None = None
            if isinstance(nxt, nodes.ElseNode):
                follow = {"if": _T.IF, "with": _T.WITH}.get(context)
                if follow is not None and self.peek().typ is follow:
                    self.next()
                    else_list = nodes.ListNode(nxt.pos, [self.branch(context)])
                else:
                    else_list, end = self.item_list()
                    if not isinstance(end, nodes.EndNode):
                        self.errorf(f"expected end; found {end}")
            return nodes.BranchNode(context, pipe.pos, pipe.line, pipe, body, else_list)
        finally:
            del self.vars[saved:]

    def else_control(self) -> nodes.Node:
        peek = self.peek_non_space()
        if peek.typ in (_T.IF, _T.WITH):
            return nodes.ElseNode(peek.pos)
        return nodes.ElseNode(self.expect(_T.RIGHT_DELIM, "else").pos)

    def end_control(self) -> nodes.Node:
        return nodes.EndNode(self.expect(_T.RIGHT_DELIM, "end").pos)

    def template_name(self, item: _Item, context: str) -> str:
        if item.typ not in (_T.STRING, _T.RAW_STRING):
            self.unexpected(item, context)
        return self.unquote(item.val)

    def template_control(self) -> nodes.Node:
        context = "template clause"
        item = self.next_non_space()
        name = self.template_name(item, context)
        pipe = None
        if self.next_non_space().typ is not _T.RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, _T.RIGHT_DELIM)
        return nodes.TemplateNode(item.pos, item.line, name, pipe)

    def block_control(self) -> nodes.Node:
        context = "block clause"
        item = self.next_non_space()
        name = self.template_name(item, context)
        pipe = self.pipeline(context, _T.RIGHT_DELIM)
        saved_vars, saved_depth = self.vars, self.range_depth
        self.vars, self.range_depth = ["$"], 0
        body, end = self.item_list()
        if not isinstance(end, nodes.EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.vars, self.range_depth = saved_vars, saved_depth
        self.add_tree(name, body)
        return nodes.TemplateNode(item.pos, item.line, name, pipe)

    # -- pipelines

    def pipeline(self, context: str, end: _T) -> nodes.PipeNode:
        first = self.peek_non_space()
        pipe = nodes.PipeNode(first.pos, first.line)
        while True:
            v = self.peek_non_space()
            if v.typ is not _T.VARIABLE:
                break
            mark = self.i
            self.next()
            nxt = self.peek_non_space()
            if nxt.typ in (_T.ASSIGN, _T.DECLARE):
                pipe.is_assign = nxt.typ is _T.ASSIGN
                self.next_non_space()
                pipe.decl.append(nodes.VariableNode(v.pos, [v.val]))
                self.vars.append(v.val)
                break
            if nxt.typ is _T.CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(nodes.VariableNode(v.pos, [v.val]))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (_T.VARIABLE, _T.RIGHT_DELIM, _T.RIGHT_PAREN):
                        continue
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            self.i = mark
            break
        while True:
            item = self.next_non_space()
            if item.typ is end:
                self.check_pipeline(pipe, context)
                return pipe
            if item.typ in self._OPERAND_START:
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(item, context)

    def check_pipeline(self, pipe: nodes.PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        literals = (nodes.BoolNode, nodes.DotNode, nodes.NilNode, nodes.NumberNode, nodes.StringNode)
        for i, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], literals):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def command(self) -> nodes.CommandNode:
        cmd = nodes.CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            item = self.next()
            if item.typ is _T.SPACE:
                continue
            if item.typ in (_T.RIGHT_DELIM, _T.RIGHT_PAREN):
                self.backup()
            elif item.typ is not _T.PIPE:
                self.unexpected(item, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self) -> nodes.Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ is _T.FIELD:
            chain = nodes.ChainNode(self.peek().pos, node)
            while self.peek().typ is _T.FIELD:
                chain.fields.append(self.next().val[1:])
            if isinstance(node, nodes.FieldNode):
                return nodes.FieldNode(chain.pos, [*node.ident, *chain.fields])
            if isinstance(node, nodes.VariableNode):
                return nodes.VariableNode(chain.pos, [*node.ident, *chain.fields])
            if isinstance(node, (nodes.BoolNode, nodes.StringNode, nodes.NumberNode, nodes.NilNode, nodes.DotNode)):
                self.errorf(f"unexpected . after term {quote(str(node))}")
            return chain
        return node

    def term(self) -> nodes.Node | None:
        item = self.next_non_space()
        typ = item.typ
        if typ is _T.IDENTIFIER:
            if item.val not in self.funcs and item.val not in BUILTINS:
                self.errorf(f"function {quote(item.val)} not defined")
            return nodes.IdentifierNode(item.pos, item.val)
        if typ is _T.DOT:
            return nodes.DotNode(item.pos)
        if typ is _T.NIL:
            return nodes.NilNode(item.pos)
        if typ is _T.VARIABLE:
            if item.val not in self.vars:
                self.errorf(f"undefined variable {quote(item.val)}")
            return nodes.VariableNode(item.pos, [item.val])
        if typ is _T.FIELD:
            return nodes.FieldNode(item.pos, [item.val[1:]])
        if typ is _T.BOOL:
            return nodes.BoolNode(item.pos, item.val == "true")
        if typ in (_T.CHAR_CONSTANT, _T.COMPLEX, _T.NUMBER):
            try:
                return nodes.new_number(item.pos, item.val, typ)
            except ValueError as e:
                self.errorf(str(e))
        if typ is _T.LEFT_PAREN:
            return self.pipeline("parenthesized pipeline", _T.RIGHT_PAREN)
        if typ in (_T.STRING, _T.RAW_STRING):
            return nodes.StringNode(item.pos, item.val, self.unquote(item.val))
        self.backup()
        return None


def _is_empty_tree(node: nodes.Node) -> bool:
    if isinstance(node, nodes.ListNode):
        return all(_is_empty_tree(n) for n in node.nodes)
    if isinstance(node, nodes.TextNode):
        return not node.text.strip(_LEX_SPACE)
    return False
