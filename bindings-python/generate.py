#!/usr/bin/env python3
"""Writes python/zkit/_generated.py, zkit's typed Python surface, from the APIs' contracts.

    python generate.py                   # write the files
    python generate.py --check           # exit 1 if a file on disk is not what would be written

The contracts are the committed OpenAPI documents schema/<api>.openapi.json (written from the Rust
core's operation tables by scripts/generate-contracts): each operation's `x-zkit-input` and
`x-zkit-output` name the types the clients expose. Only Python is needed. From each contract this writes

- a `Model` subclass per object type an operation returns, with a read-only typed property per field;
- a `TypedDict` `<Name>Params` per object type an operation takes;
- the clients `<Api>(SyncClient)` and `Async<Api>(AsyncClient)`, with one method per operation: a
  dict form and a keyword form (`@overload`s), returning the model, a list of models, or None; and for
  each operation marked `"paged": true`, `iter_<name without list_>` with the same parameters plus
  `max_pages`, returning a lazy `SyncPages[<Page>, <Item>]` (or `AsyncPages`).

Fields of `"format": "binary"` are `bytes` (bytes-like or text in inputs), fields of `"format": "path"`
take a `str` or `os.PathLike`; fields of `"writeOnly": true` (secrets) print as previews.
"""

from __future__ import annotations

import argparse
import builtins
import difflib
import json
import keyword
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "python" / "zkit" / "_generated.py"
ERRORS_OUTPUT = HERE / "python" / "zkit" / "errors.py"
SCHEMA_DIR = HERE.parent / "schema"

# The Python names of the error kinds whose class is not simply `<Kind>Error`, as openai-python and
# httpx users know them; and the classes a kind's class derives from besides ZkitError.
ERROR_NAMES = {
    "unauthorized": "AuthenticationError",
    "forbidden": "PermissionDeniedError",
    "rate_limited": "RateLimitError",
}
ERROR_BASES = {
    "upstream": ["ServerError"],
    # zkit.TimeoutError and zkit.ConnectionError are also the built-in exceptions of those names, so
    # `except TimeoutError` catches them.
    "timeout": ["ZkitError", "builtins.TimeoutError"],
    "connection": ["ZkitError", "builtins.ConnectionError"],
}

# The APIs whose contracts (schema/<api>.openapi.json) are turned into clients.
APIS = ["zerokie", "zenifra", "zenovay", "zyra"]

# The per-call options every method takes as keywords, with their types (see zkit._base.CallOptions).
OPTIONS = [
    ("timeout", "float | None"),
    ("deadline", "float | None"),
    ("max_retries", "int"),
    ("idempotency_key", "str"),
    ("rate_limit", "bool"),
]

# Names a model's own members take; a field with one of these names gets a trailing underscore.
MODEL_MEMBERS = {"extra", "get", "to_dict"}

Schema = dict[str, Any]


# ---- reading the contracts -------------------------------------------------------------------------


def operations_of(contract: Schema) -> list[Schema]:
    """A contract's operations, flattened: name, doc, method, zkit's path template, idempotency, rate
    class, paging, and the input and output types the clients expose (zkit's `x-zkit-*` facts)."""
    return [
        {
            "name": operation["operationId"],
            "doc": operation.get("description", ""),
            "method": method.upper(),
            "path": operation.get("x-zkit-path", path),
            "idempotent": operation["x-zkit-idempotent"],
            "rate_class": operation["x-zkit-rate-class"],
            "paged": operation["x-zkit-paged"],
            "input": operation["x-zkit-input"],
            "output": operation["x-zkit-output"],
        }
        for path, methods in contract["paths"].items()
        for method, operation in methods.items()
    ]


def load_documents(schema_dir: Path) -> list[Schema]:
    """The contract of each API in APIS, in the shape the writers read: `x-zkit`'s facts, the base
    URL, the schemas as `$defs`, and the operations."""
    documents = []
    for api in APIS:
        contract = json.loads((schema_dir / f"{api}.openapi.json").read_text())
        documents.append(
            {
                **contract["x-zkit"],
                "default_base_url": contract["servers"][0]["url"],
                "$defs": contract["components"]["schemas"],
                "operations": operations_of(contract),
            }
        )
    return documents


# ---- names and text --------------------------------------------------------------------------------


def snake_case(name: str) -> str:
    """A wire name as a Python name: lastModified -> last_modified, from -> from_."""
    text = re.sub(r"[^0-9A-Za-z_]", "_", name)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text).lower()
    if not text or text[0].isdigit():
        text = "_" + text
    return text + "_" if keyword.iskeyword(text) else text


def q(text: str) -> str:
    """A Python string literal, in double quotes."""
    return json.dumps(text, ensure_ascii=False)


def class_name(api: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^0-9A-Za-z]+", api) if part)


def plain_doc(text: str) -> str:
    """Rust doc text for Python: intra-doc links become their text."""
    return re.sub(r"\[([^\]]+)\]\((?!https?:)[^)]*\)", r"\1", text or "").strip()


def docstring(text: str, indent: str) -> list[str]:
    """`text` as a docstring at `indent`, wrapped at 100 columns."""
    escaped = plain_doc(text).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if escaped.endswith('"'):
        escaped = escaped[:-1] + '\\"'
    lines: list[str] = []
    for paragraph in escaped.split("\n\n"):
        if lines:
            lines.append("")
        if paragraph.startswith("    ") or "\n    " in paragraph:
            lines.extend(paragraph.splitlines())  # an indented block: keep its layout
        else:
            width = 100 - len(indent) - 3
            lines.extend(textwrap.wrap(" ".join(paragraph.split()), width, break_on_hyphens=False) or [""])
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""']
    return [f'{indent}"""{lines[0]}'] + [f"{indent}{line}" if line else "" for line in lines[1:]] + [f'{indent}"""']


# ---- schemas to Python types -------------------------------------------------------------------------


def split_nullable(schema: Schema) -> tuple[Schema, bool]:
    """The schema without its null alternative, and whether it had one."""
    kinds = schema.get("type")
    if isinstance(kinds, list) and "null" in kinds:
        rest = [k for k in kinds if k != "null"]
        return {**schema, "type": rest[0] if len(rest) == 1 else rest}, True
    for combinator in ("anyOf", "oneOf"):
        options = schema.get(combinator)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            base = {k: v for k, v in schema.items() if k != combinator}
            return ({**base, **rest[0]} if len(rest) == 1 else {**base, combinator: rest}), True
    return schema, bool(schema.get("nullable"))


class Api:
    """One API's document, with what the generator needs to know about its definitions."""

    def __init__(self, document: Schema) -> None:
        self.document = document
        self.name = class_name(document["api"])
        self.defs: dict[str, Schema] = document.get("$defs", {})
        self.operations: list[Schema] = document["operations"]
        self.models = self.reachable([op["output"] for op in self.operations])
        self.params = self.reachable([op["input"] for op in self.operations])

    def ref(self, schema: Schema) -> str | None:
        ref = schema.get("$ref")
        return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None

    def resolve(self, schema: Schema) -> Schema:
        name = self.ref(schema)
        return self.defs[name] if name else schema

    def is_object(self, name: str) -> bool:
        definition = self.defs[name]
        # A struct has properties or none at all (`additionalProperties: false`); a map has a value schema.
        return definition.get("type") == "object" and (
            "properties" in definition or definition.get("additionalProperties", False) is False
        )

    def reachable(self, roots: list[Schema]) -> list[str]:
        """The object definitions `roots` lead to, in the order first met."""
        found: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, list):
                for item in node:
                    walk(item)
            elif isinstance(node, dict):
                name = self.ref(node)
                if name is not None and name not in found:
                    if self.is_object(name):
                        found.append(name)
                    walk(self.defs[name])
                for key, value in node.items():
                    if key != "$ref":
                        walk(value)

        walk(roots)
        return found

    def fields(self, definition: Schema) -> list[tuple[str, Schema, bool]]:
        """(wire name, schema, required) of an object definition's properties: the required ones in the
        order of "required" (the declaration order), then the others in the order of "properties"."""
        properties = definition.get("properties", {})
        required = [wire for wire in definition.get("required", []) if wire in properties]
        others = [wire for wire in properties if wire not in required]
        return [(wire, properties[wire], True) for wire in required] + [(wire, properties[wire], False) for wire in others]

    def input_fields(self, operation: Schema) -> list[tuple[str, Schema, bool]]:
        return self.fields(self.resolve(operation["input"]))

    def annotation(self, schema: Schema, side: str) -> str:
        """The Python type of values of `schema`; `side` is "in" for inputs, "out" for results."""
        inner, nullable = split_nullable(schema)
        text = self.bare_annotation(inner, side)
        return f"{text} | None" if nullable and text not in ("Any", "None") else text

    def bare_annotation(self, schema: Schema, side: str) -> str:
        name = self.ref(schema)
        if name is not None:
            if self.is_object(name):
                return name if side == "out" else f"{name}Params"
            if self.is_enum(name):
                return name
            return self.annotation(self.defs[name], side)
        for combinator in ("anyOf", "oneOf"):
            if combinator in schema:
                types = dict.fromkeys(self.annotation(option, side) for option in schema[combinator])
                return "Any" if "Any" in types else " | ".join(types)
        kind = schema.get("type")
        if isinstance(kind, list):
            types = dict.fromkeys(self.bare_annotation({**schema, "type": k}, side) for k in kind)
            return "Any" if "Any" in types else " | ".join(types)
        if kind == "string":
            if schema.get("format") == "binary":
                return "bytes | bytearray | memoryview | str" if side == "in" else "bytes"
            if schema.get("format") == "path" and side == "in":
                return "str | PathLike[str]"
            return "str"
        if kind in ("integer", "number", "boolean", "null"):
            return {"integer": "int", "number": "float", "boolean": "bool", "null": "None"}[kind]
        if kind == "array":
            item = self.annotation(schema.get("items", {}), side)
            return f"Sequence[{item}]" if side == "in" else f"list[{item}]"
        if kind == "object":
            values = schema.get("additionalProperties")
            value = self.annotation(values, side) if isinstance(values, dict) else "Any"
            return f"Mapping[str, {value}]" if side == "in" else f"dict[str, {value}]"
        return "Any"

    def conversion(self, schema: Schema, expr: str, depth: int = 0) -> str | None:
        """Python code turning the JSON value `expr` into the result type of `schema`, or None when the
        JSON value is the result as it is."""
        inner, nullable = split_nullable(schema)
        converted = self.bare_conversion(inner, expr, depth)
        if converted is None or not nullable:
            return converted
        return f"None if {expr} is None else {converted}"

    def bare_conversion(self, schema: Schema, expr: str, depth: int) -> str | None:
        name = self.ref(schema)
        if name is not None:
            # `_wrap`: the native side made the dict for this result alone, so it is taken, not copied.
            return f"{name}._wrap({expr})" if self.is_object(name) else self.conversion(self.defs[name], expr, depth)
        item = f"item{depth}" if depth else "item"
        if schema.get("type") == "string" and schema.get("format") == "binary":
            return None  # the native side hands out `bytes`
        if schema.get("type") == "array":
            converted = self.conversion(schema.get("items", {}), item, depth + 1)
            return f"list({expr})" if converted is None else f"[{converted} for {item} in {expr}]"
        if schema.get("type") == "object" and isinstance(schema.get("additionalProperties"), dict):
            converted = self.conversion(schema["additionalProperties"], item, depth + 1)
            key = f"key{depth}" if depth else "key"
            return f"dict({expr})" if converted is None else f"{{{key}: {converted} for {key}, {item} in {expr}.items()}}"
        return None

    def is_enum(self, name: str) -> bool:
        """Whether `name` is an open string enum (a string with its known values as examples)."""
        definition = self.defs[name]
        return definition.get("type") == "string" and bool(definition.get("examples"))

    def enums(self) -> list[str]:
        return sorted(name for name in self.defs if self.is_enum(name))

    def known_values(self, schema: Schema) -> list[str]:
        """The documented values of an open string enum, for docstrings."""
        inner, _ = split_nullable(schema)
        name = self.ref(inner)
        target = self.defs[name] if name else inner
        return [str(v) for v in target.get("examples", [])] if target.get("type") == "string" else []

    def field_doc(self, schema: Schema) -> str:
        text = plain_doc(schema.get("description", ""))
        values = self.known_values(schema)
        if values:
            listed = ", ".join(f'"{v}"' for v in values)
            text = f"{text}\n\nKnown values: {listed}; a newer server may send others."
        return text


# ---- writing ---------------------------------------------------------------------------------------


def model_class(api: Api, name: str) -> list[str]:
    definition = api.defs[name]
    fields = api.fields(definition)
    attrs = [(field_attr(wire), wire) for wire, _, _ in fields]
    out = ["", "", f"class {name}(Model):"]
    out += docstring(definition.get("description") or f"{name}.", "    ")
    out += ["", "    __slots__ = ()", "    _fields = ("]
    out += [f"        ({q(attr)}, {q(wire)})," for attr, wire in attrs]
    out.append("    )")
    secrets = [wire for wire, schema, _ in fields if split_nullable(api.resolve(schema))[0].get("writeOnly")]
    if secrets:
        out.append(f"    _secrets = frozenset({{{', '.join(map(q, secrets))}}})")
    for (attr, wire), (_, schema, required) in zip(attrs, fields):
        type_ = api.annotation(schema, "out")
        inner, nullable = split_nullable(schema)
        optional = nullable or not required
        if optional and not type_.endswith("| None") and type_ not in ("Any", "None"):
            type_ += " | None"
        out += ["", "    @property", f"    def {attr}(self) -> {type_}:"]
        out += docstring(api.field_doc(schema) or f"The {wire!r} field.", "        ")
        access = f"self._data.get({q(wire)})" if optional else f"self._data[{q(wire)}]"
        converted = api.conversion(inner, "value" if optional else access)
        if converted is None:
            out.append(f"        return cast({q(type_)}, {access})")
        elif optional:
            out += [f"        value = {access}", f"        return None if value is None else {converted}"]
        else:
            out.append(f"        return {converted}")
    return out


def field_attr(wire: str) -> str:
    attr = snake_case(wire)
    return attr + "_" if attr in MODEL_MEMBERS else attr


def params_class(api: Api, name: str) -> list[str]:
    definition = api.defs[name]
    entries = []
    for wire, schema, required in api.fields(definition):
        type_ = api.annotation(schema, "in")
        entries.append((wire, type_ if required else f"NotRequired[{type_}]", api.field_doc(schema)))
    description = definition.get("description") or f"The parameters of {name}."
    if all(wire.isidentifier() and not keyword.iskeyword(wire) for wire, _, _ in entries):
        out = ["", "", f"class {name}Params(TypedDict):"] + docstring(description, "    ")
        for wire, type_, doc in entries:
            out += ["", f"    {wire}: {type_}"] + (docstring(doc, "    ") if doc else [])
        return out
    # Wire names that are not Python names need the functional form, which takes its docs afterwards:
    # the description and each key's.
    out = ["", "", f"{name}Params = TypedDict({q(name + 'Params')}, {{"]
    out += [f"    {q(wire)}: {q(type_)}," for wire, type_, _ in entries]
    keys = "\n\n".join(f"- `{wire}`: {plain_doc(doc) or 'no description.'}" for wire, _, doc in entries)
    body = docstring(f"{description}\n\nKeys:\n\n{keys}", "")
    body[0] = f"{name}Params.__doc__ = {body[0]}"
    return out + ["})"] + body


def signature(define: str, name: str, params: list[str], returns: str, end: str) -> list[str]:
    """A method's first line(s): on one line when it fits in 110 columns, else one parameter a line."""
    line = f"    {define} {name}({', '.join(params)}) -> {returns}:{end}"
    if len(line) <= 110:
        return [line]
    return [f"    {define} {name}("] + [f"        {param}," for param in params] + [f"    ) -> {returns}:{end}"]


def method(api: Api, operation: Schema, is_async: bool) -> list[str]:
    name = operation["name"]
    fields = api.input_fields(operation)
    output = operation["output"]
    returns = api.annotation(output, "out")
    define = "async def" if is_async else "def"
    params_arg = "params" if fields else "()"
    kwargs = "kwargs" if fields else "options"
    call = f"{'await ' if is_async else ''}self._call({q(name)}, {params_arg}, {kwargs})"
    converted = api.conversion(output, call)
    if returns == "None":
        body = [f"        {call}"]
    elif converted is None:
        body = [f"        return cast({q(returns)}, {call})"]
    else:
        body = [f"        return {converted}"]
    doc = operation.get("doc") or name
    return overloads(api, operation, define, name, returns, [], doc) + body


def raw_method(api: Api, operation: Schema, is_async: bool, client: str) -> list[str]:
    """The method of a client's `with_raw_response` view: the operation's result in a `Response`, with
    the status, headers, request id and attempts."""
    name = operation["name"]
    fields = api.input_fields(operation)
    returns = api.annotation(operation["output"], "out")
    define = "async def" if is_async else "def"
    if fields:
        params = ["self", "/", f"*params: {api.ref(operation['input'])}Params", "**kwargs: Any"]
        args = "params, kwargs"
    else:
        params = ["self", "/", "**options: Unpack[CallOptions]"]
        args = "(), options"
    converted = api.conversion(operation["output"], "data")
    data = "data" if converted is None else converted
    if converted is None and returns != "Any":
        data = f"cast({q(returns)}, data)"
    out = [""] + signature(define, name, params, f"Response[{returns}]", "")
    out += docstring(f"`{client}.{name}`, with the facts of its response.", "        ")
    out += [f"        data, meta = {'await ' if is_async else ''}self._client._call_meta({q(name)}, {args})"]
    return out + [f"        return Response({data}, meta)"]


def raw_view_class(api: Api, is_async: bool) -> list[str]:
    client = f"Async{api.name}" if is_async else api.name
    doc = (
        f"{client}'s operations, each returning a `Response`: the typed result as `.data`, with the status, "
        "headers, request id, server timestamp and attempts. Reached as `client.with_raw_response`."
    )
    out = ["", "", f"class {client}WithRawResponse:"] + docstring(doc, "    ")
    out += ["", '    __slots__ = ("_client",)', "", f"    def __init__(self, client: {client}) -> None:"]
    out += ["        self._client = client"]
    for operation in api.operations:
        out += raw_method(api, operation, is_async, client)
    return out


def iter_method(api: Api, operation: Schema, is_async: bool) -> list[str]:
    """`iter_<name>` of a paged list: its parameters and `max_pages`, returning a lazy walk."""
    name = operation["name"]
    page = api.ref(operation["output"])
    if page is None or not api.is_object(page) or not api.fields(api.resolve(operation["input"])):
        raise SystemExit(f"{name}: a paged list needs an object page type and input fields")
    items = api.defs[page]["properties"]["items"].get("items", {})
    item = api.annotation(items, "out")
    converted = api.conversion(items, "item")
    make_item = item if converted == f"{item}(item)" else f"lambda item: {converted or f'cast({q(item)}, item)'}"
    returns = f"{'AsyncPages' if is_async else 'SyncPages'}[{page}, {item}]"
    doc = (
        f"Walks {name} lazily, page by page: iterating {'with `async for` ' if is_async else ''}gives the "
        f"items ({item}), `.pages()` the pages ({page}). Nothing is fetched until an iteration starts, and "
        "bad input is refused then, before anything is sent. `max_pages` caps the walk (default 1000); "
        "a walk that reaches it with items left raises DecodeError."
    )
    extra = [("max_pages", "int | None")]
    call = f"self._iter({q(name)}, params, kwargs, max_pages, {page}, {make_item})"
    return overloads(api, operation, "def", f"iter_{name.removeprefix('list_')}", returns, extra, doc) + [
        f"        return {call}"
    ]


def overloads(
    api: Api, operation: Schema, define: str, name: str, returns: str, extra: list[tuple[str, str]], doc: str
) -> list[str]:
    """A method's signatures and docstring, up to its body: the dict form and the keyword form as
    `@overload`s, then the one implementation taking both. `extra` are keywords of the method's own
    (such as `max_pages`), defaulting to None."""
    fields = api.input_fields(operation)
    if fields:
        listed = "\n".join(
            f"    {snake_case(wire)}: {' '.join(plain_doc(schema.get('description', '')).split())}"
            for wire, schema, _ in fields
        )
        doc = f"{doc}\n\nParameters, as keyword arguments or one dict:\n{listed}"
    out = [""]
    own = [f"{keyword_}: {type_} = ..." for keyword_, type_ in extra]
    if not fields:
        out += signature(define, name, ["self", *own, "**options: Unpack[CallOptions]"], returns, "")
        return out + docstring(doc, "        ")
    params_type = f"{api.ref(operation['input'])}Params"
    out.append("    @overload")
    dict_form = ["self", f"params: {params_type}", "/", *(["*", *own] if own else []), "**options: Unpack[CallOptions]"]
    out += signature(define, name, dict_form, returns, " ...")
    keyword_form = ["self", "/", "*"]
    for wire, schema, required in fields:
        type_ = api.annotation(schema, "in")
        if required:
            keyword_form.append(f"{snake_case(wire)}: {type_}")
        else:
            none = "" if type_.endswith("| None") or type_ == "Any" else " | None"
            keyword_form.append(f"{snake_case(wire)}: {type_}{none} = ...")
    keyword_form += own + [f"{option}: {type_} = ..." for option, type_ in OPTIONS]
    out += ["", "    @overload"] + signature(define, name, keyword_form, returns, " ...") + [""]
    # One implementation takes both forms; `*params` (rather than a parameter defaulting to None) keeps
    # the runtime signature consistent with the overloads for stubtest.
    implementation = ["self", "/", f"*params: {params_type}"]
    implementation += [f"{keyword_}: {type_} = None" for keyword_, type_ in extra] + ["**kwargs: Any"]
    out += signature(define, name, implementation, returns, "")
    return out + docstring(doc, "        ")


# The hand-written mixins of an API's clients (sync, async), from `zkit._deploy`.
MIXINS = {"Zerokie": ("SiteDeploy", "AsyncSiteDeploy")}


def client_class(api: Api, is_async: bool) -> list[str]:
    document = api.document
    name = f"Async{api.name}" if is_async else api.name
    base = "AsyncClient" if is_async else "SyncClient"
    # Capabilities beyond the operation table, written by hand beside the generated clients.
    if api.name in MIXINS:
        base += ", " + MIXINS[api.name][is_async]
    kind = "An asyncio" if is_async else "A blocking"
    prefix = document["env_prefix"]
    doc = (
        f"{kind} client of the {api.name} API.\n\n"
        f"The key comes from `api_key` or {prefix}_API_KEY; the base URL from `base_url`, {prefix}_BASE_URL "
        f"or {document['default_base_url']}. Timeouts, retries and pacing are settable here and per call."
    )
    headers = document.get("auth_headers", [])
    if len(headers) > 1:
        doc += f" `auth_header` picks the header that carries the key: {' or '.join(map(repr, headers))}."
    for setting in document.get("settings", []):
        doc += f" `{setting['name']}` (or {setting['env']}) is sent as `{setting['header']}` on every call."
    out = ["", "", f"class {name}({base}):"] + docstring(doc, "    ")
    out += ["", "    __slots__ = ()", f"    _native_class = _zkit.{api.name}", f"    _fields = _{api.name.upper()}_FIELDS"]
    out += ["", "    @property", f"    def with_raw_response(self) -> {name}WithRawResponse:"]
    out += docstring("Every operation of this client, returning a `Response` with the result and its HTTP facts.", "        ")
    out += [f"        return {name}WithRawResponse(self)"]
    for operation in api.operations:
        out += method(api, operation, is_async)
    for operation in api.operations:
        if operation.get("paged"):
            out += iter_method(api, operation, is_async)
    return out


def fields_table(api: Api) -> list[str]:
    out = ["", "", f"# {api.name}'s operations: their keyword parameters and the wire names they stand for."]
    out.append(f"_{api.name.upper()}_FIELDS: dict[str, dict[str, str]] = {{")
    for operation in api.operations:
        fields = {snake_case(wire): wire for wire, _, _ in api.input_fields(operation)}
        option_clash = set(fields) & {option for option, _ in OPTIONS}
        if option_clash:
            raise SystemExit(f"{operation['name']}: input fields {option_clash} clash with call options")
        listed = [f"{q(param)}: {q(wire)}" for param, wire in fields.items()]
        line = f"    {q(operation['name'])}: {{{', '.join(listed)}}},"
        if len(line) <= 110:
            out.append(line)
        else:
            out += [f"    {q(operation['name'])}: {{"] + [f"        {item}," for item in listed] + ["    },"]
    return out + ["}"]


def generate(documents: list[Schema]) -> str:
    apis = [Api(document) for document in documents]
    seen: dict[str, Schema] = {}
    for api in apis:
        for name in api.models + api.params:
            if seen.setdefault(name, api.defs[name]) != api.defs[name]:
                raise SystemExit(f"two APIs define {name} differently: give one of them another name")
    params = {f"{n}Params" for api in apis for n in api.params if api.fields(api.defs[n])}
    exported = sorted({n for api in apis for n in api.models} | params)
    exported += [n for api in apis for n in (api.name, f"Async{api.name}")]
    exported += [f"{n}WithRawResponse" for api in apis for n in (api.name, f"Async{api.name}")]
    enums: dict[str, list[str]] = {}
    for api in apis:
        for name in api.enums():
            if enums.setdefault(name, api.known_values(api.defs[name])) != api.known_values(api.defs[name]):
                raise SystemExit(f"two APIs define the enum {name} differently: give one of them another name")
    exported += sorted(enums)
    body: list[str] = ["", "", "# Open enums: the known values, for type checkers. A newer server may send another, which"]
    body += ["# arrives as the str it is."]
    for name, values in sorted(enums.items()):
        # A Union of one Literal per value (not one Literal of all): the same type to a checker, and
        # a Union at runtime too, as stubtest expects of an alias it reads as a union.
        body.append(f"{name} = Union[{', '.join(f'Literal[{q(value)}]' for value in values)}]")
    for api in apis:
        body += [""] + [f"# ---- {api.name} " + "-" * (94 - len(api.name))]
        for name in api.models:
            body += model_class(api, name)
        for name in api.params:
            if api.fields(api.defs[name]):
                body += params_class(api, name)
        body += fields_table(api)
        body += client_class(api, is_async=False)
        body += raw_view_class(api, is_async=False)
        body += client_class(api, is_async=True)
        body += raw_view_class(api, is_async=True)
    text = "\n".join(body)

    def used(*names: str) -> str:
        return ", ".join(name for name in names if re.search(rf"\b{name}\b", text))

    header = [
        '"""zkit\'s typed surface: results, parameters and clients of every API.',
        "",
        "Generated by bindings-python/generate.py from the APIs' schemas; do not edit by hand.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
    ]
    if used("Mapping", "Sequence"):
        header.append(f"from collections.abc import {used('Mapping', 'Sequence')}")
    if used("PathLike"):
        header.append("from os import PathLike")
    header += [
        f"from typing import TYPE_CHECKING, {used('Any', 'Literal', 'TypedDict', 'Union', 'cast', 'overload')}",
        "",
        "from zkit import _zkit",
        f"from zkit._base import {used('AsyncClient', 'AsyncPages', 'CallOptions', 'Response', 'SyncClient', 'SyncPages')}",
        "from zkit._deploy import AsyncSiteDeploy, SiteDeploy",
        "from zkit._model import Model",
        "",
        "if TYPE_CHECKING:",
        f"    from typing_extensions import {used('NotRequired', 'Unpack')}",
        "",
        "__all__ = [",
    ]
    header += [f"    {q(name)}," for name in exported] + ["]"]
    return "\n".join(header) + "\n" + text + "\n"


def error_class_name(kind: str) -> str:
    return ERROR_NAMES.get(kind, "".join(part.title() for part in kind.split("_")) + "Error")


def generate_errors(documents: list[Schema]) -> str:
    """`zkit/errors.py`: `ZkitError` (from `zkit._error_base`) and one subclass per kind of the core's
    taxonomy (the documents' `error_kinds`), and the map the native module's errors are raised
    through."""
    kinds = documents[0]["error_kinds"]
    if any(document["error_kinds"] != kinds for document in documents):
        raise SystemExit("the APIs' documents list different error kinds")
    names = [error_class_name(kind["name"]) for kind in kinds]
    out = [
        "# Generated by bindings-python/generate.py from the core's error kinds; do not edit.",
        '"""The exceptions zkit raises: one tree rooted at `ZkitError`, one subclass per kind of failure.',
        "",
        "Every exception carries what was known when the call failed: `kind` (the same snake_case name in",
        "every zkit language), `status`, `code`, `message`, `request_id`, `details`, `retry_after` (seconds),",
        "`field` (for refused input) and `retryable`. Messages never contain a credential.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import builtins",
        "",
        "from zkit._error_base import ZkitError as ZkitError",
        "",
        "__all__ = [",
        '    "ZkitError",',
        *[f"    {q(name)}," for name in names],
        "]",
    ]
    for kind, name in zip(kinds, names):
        bases = ERROR_BASES.get(kind["name"], ["ZkitError"])
        noqa = "  # noqa: A001 - as the taxonomy names it" if name in dir(builtins) else ""
        out += ["", "", f"class {name}({', '.join(bases)}):{noqa}"]
        out += docstring(f"{kind['doc']} (kind \"{kind['name']}\")", "    ")
    out += ["", "", "_CLASSES: dict[str, type[ZkitError]] = {"]
    out += [f"    {q(kind['name'])}: {name}," for kind, name in zip(kinds, names)]
    return "\n".join(out + ["}"]) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file on disk differs")
    parser.add_argument("--schema-dir", default=str(SCHEMA_DIR), help=f"where the contracts are (default {SCHEMA_DIR})")
    parser.add_argument("--output", default=str(OUTPUT), help=f"where to write (default {OUTPUT})")
    args = parser.parse_args()
    documents = load_documents(Path(args.schema_dir))
    output = Path(args.output)
    # The typed surface, and the exception classes beside it.
    texts = {output: generate(documents), output.parent / ERRORS_OUTPUT.name: generate_errors(documents)}
    if args.check:
        stale = False
        for path, text in texts.items():
            current = path.read_text() if path.exists() else ""
            if current != text:
                diff = difflib.unified_diff(current.splitlines(), text.splitlines(), str(path), "generated", lineterm="")
                print("\n".join(list(diff)[:60]))
                print(f"{path} is out of date: run bindings-python/generate.py", file=sys.stderr)
                stale = True
            else:
                print(f"{path.name} is up to date")
        return 1 if stale else 0
    for path, text in texts.items():
        path.write_text(text)
        print(f"wrote {path}")
    return 0

if __name__ == "__main__":
    sys.exit(main())
