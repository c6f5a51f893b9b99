"""The verbs: get, list, create, update, patch (incl. server-side apply) and delete.

Each handler takes a `Call` (the resolved request) and returns a `Reply`, or
raises `errors.ApiError`. They implement the apiserver's write pipeline in the
order it runs: decode, check the body against the URL, admission (namespace
exists / not terminating), server-owned metadata, the status-subresource split,
validation, defaulting, generation, managedFields, no-op detection, dry-run,
store. Read-modify-write sequences hold the store lock so concurrent writers get
409s exactly when a real server would. Watches are streamed by the server.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import yaml

from tests.apiserver import defaults, errors, fields, selectors, validation
from tests.apiserver.builtin import FIELD_LABELS, ResourceType
from tests.apiserver.store import Obj, Store, now_rfc3339

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
APPLY_YAML = "application/apply-patch+yaml"
APPLY_JSON = "application/apply-patch+json"
_SERVER_META = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                "generation", "resourceVersion")
_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"


@dataclass(slots=True)
class Call:
    """A resolved resource request."""

    store: Store
    ips: defaults.IpAllocator
    rt: ResourceType
    namespace: str | None
    name: str | None
    subresource: str
    query: dict[str, str]
    body: bytes = b""
    content_type: str = ""
    user_agent: str = ""


@dataclass(slots=True)
class Reply:
    """A JSON answer."""

    code: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


# ---- helpers -----------------------------------------------------------------


def output(rt: ResourceType, obj: Obj) -> Obj:
    """`obj` as served at `rt`'s version (a copy only when apiVersion/kind differ)."""
    if obj.get("apiVersion") == rt.api_version and obj.get("kind") == rt.kind:
        return obj
    return {**obj, "apiVersion": rt.api_version, "kind": rt.kind}


def _json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError as exc:
        raise errors.bad_request(f"the body of the request was in an unknown format: {exc}") from None


def _object(body: bytes) -> Obj:
    obj = _json(body)
    if not isinstance(obj, dict):
        raise errors.bad_request("the body of the request must be a JSON object")
    return obj


def _check_body(call: Call, obj: Obj) -> None:
    """The body's apiVersion/kind/namespace/name must agree with the URL (filled in when absent)."""
    rt = call.rt
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if api_version and api_version != rt.api_version:
        raise errors.bad_request(
            f"the API version in the data ({api_version}) does not match the expected API version "
            f"({rt.api_version})"
        )
    if kind and kind != rt.kind:
        raise errors.bad_request(
            f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})"
        )
    obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
    meta = obj.get("metadata")
    if meta is None:
        meta = obj["metadata"] = {}
    if not isinstance(meta, dict):
        raise errors.bad_request("metadata must be an object")
    if rt.namespaced:
        if meta.get("namespace") and meta["namespace"] != call.namespace:
            raise errors.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        meta["namespace"] = call.namespace
    else:
        meta.pop("namespace", None)
    if call.name is not None:
        if meta.get("name") and meta["name"] != call.name:
            raise errors.bad_request(
                f"the name of the object ({meta['name']}) does not match the name on the URL ({call.name})"
            )
        meta["name"] = call.name


def dry_run(query: dict[str, str], options: Obj | None = None) -> bool:
    """Whether the request is a dry run (`dryRun=All` in the query or DeleteOptions)."""
    values = [query["dryRun"]] if "dryRun" in query else list((options or {}).get("dryRun") or [])
    for value in values:
        if value != "All":
            raise errors.bad_request(f'dryRun: Unsupported value: "{value}": supported values: "All"')
    return bool(values)


def _manager(call: Call) -> str:
    manager = call.query.get("fieldManager")
    if manager is None:
        # Like the apiserver: the user agent up to its first "/".
        manager = call.user_agent.split("/", 1)[0] or "unknown"
    if len(manager) > 128:
        raise errors.bad_request("fieldManager: Too long: may not be longer than 128 characters")
    return manager


def _require_namespace(call: Call, name: str) -> None:
    if not call.rt.namespaced or call.namespace is None:
        return
    ns = call.store.namespace(call.namespace)
    if ns is None:
        ns_rt = call.store.registry.lookup("", "v1", "namespaces")
        assert ns_rt is not None
        raise errors.not_found(ns_rt, call.namespace)
    if (ns.get("metadata") or {}).get("deletionTimestamp"):
        raise errors.namespace_terminating(call.rt, name, call.namespace)


def prepare_new(rt: ResourceType, obj: Obj, *, keep_status: bool = False) -> Obj:
    """Fill the server-owned metadata of an object about to be created (in place).

    Args:
        rt: the object's type.
        obj: the object; `generateName` is resolved here.
        keep_status: keep `.status` even if `rt` has a status subresource (seeding).
    """
    meta = obj.setdefault("metadata", {})
    for key in _SERVER_META:
        meta.pop(key, None)
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = meta["generateName"] + "".join(random.choice(_NAME_CHARS) for _ in range(5))
    meta["uid"] = str(uuid.uuid4())
    meta["creationTimestamp"] = now_rfc3339()
    meta["generation"] = 1
    if rt.status and not keep_status:
        obj.pop("status", None)
    return obj


def spec_of(rt: ResourceType, obj: Obj) -> Obj:
    """The part of `obj` whose changes bump metadata.generation."""
    skip = {"metadata", "apiVersion", "kind"} | ({"status"} if rt.status else set())
    return {k: v for k, v in obj.items() if k not in skip}


def _comparable(obj: Obj) -> Obj:
    meta = dict(obj.get("metadata") or {})
    meta.pop("resourceVersion", None)
    if "managedFields" in meta:
        meta["managedFields"] = [{k: v for k, v in e.items() if k != "time"}
                                 for e in meta["managedFields"]]
    return {**obj, "metadata": meta}


def _status_ok(rt: ResourceType, meta: Obj) -> Obj:
    return {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
        "details": {"name": meta.get("name", ""), **({"group": rt.group} if rt.group else {}),
                    "kind": rt.plural, "uid": meta.get("uid", "")},
    }


# ---- reads -------------------------------------------------------------------


def get(call: Call) -> Reply:
    """GET one object."""
    assert call.name is not None
    obj = call.store.get(call.rt, call.namespace or "", call.name)
    if obj is None:
        raise errors.not_found(call.rt, call.name)
    return Reply(200, output(call.rt, obj))


def matchers(call: Call) -> tuple[selectors.Matcher, selectors.Matcher]:
    """The label and field selector predicates of a list or watch."""
    allowed = FIELD_LABELS.get((call.rt.group, call.rt.kind), ())
    return (selectors.label_matcher(call.query.get("labelSelector")),
            selectors.field_matcher(call.query.get("fieldSelector"), allowed))


def list_(call: Call) -> Reply:
    """LIST, with selectors and limit/continue paging."""
    rt = call.rt
    labels, fields_ = matchers(call)
    objs, rv = call.store.list(rt, call.namespace)
    items = [o for o in objs if labels(o) and fields_(o)]
    token = call.query.get("continue")
    if token:
        try:
            start = json.loads(base64.urlsafe_b64decode(token.encode()))["start"]
        except (ValueError, KeyError, binascii.Error):
            raise errors.bad_request("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)") from None
        items = [o for o in items if _sort_key(o) > tuple(start)]
    meta: dict[str, Any] = {"resourceVersion": str(rv)}
    limit = int(call.query.get("limit") or 0)
    if limit and len(items) > limit:
        remaining = len(items) - limit
        items = items[:limit]
        meta["continue"] = base64.urlsafe_b64encode(
            json.dumps({"rv": rv, "start": list(_sort_key(items[-1]))}).encode()).decode()
        meta["remainingItemCount"] = remaining
    body = {
        "kind": f"{rt.kind}List",
        "apiVersion": rt.api_version,
        "metadata": meta,
        "items": [output(rt, o) for o in items],
    }
    return Reply(200, body)


def _sort_key(obj: Obj) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return (meta.get("namespace", ""), meta.get("name", ""))


# ---- writes ------------------------------------------------------------------


def create(call: Call) -> Reply:
    """POST a new object."""
    obj = _object(call.body)
    _check_body(call, obj)
    dry = dry_run(call.query)
    manager = _manager(call)
    with call.store.lock:
        return _create(call, copy.deepcopy(obj), manager=manager, dry=dry, managed=False)


def _create(call: Call, obj: Obj, *, manager: str, dry: bool, managed: bool) -> Reply:
    store, rt = call.store, call.rt
    prepare_new(rt, obj)
    name = obj["metadata"].get("name") or ""
    _require_namespace(call, name)
    validation.validate_object(rt, obj)
    if store.get(rt, call.namespace or "", name) is not None:
        raise errors.already_exists(rt, name)
    defaults.apply_defaults(rt.group, rt.kind, obj, None, call.ips)
    if not managed:
        fields.track_update(rt, None, obj, manager=manager, now=now_rfc3339())
    if dry:
        return Reply(201, output(rt, obj))
    return Reply(201, output(rt, store.insert(rt, obj)))


def update(call: Call) -> Reply:
    """PUT a whole object (or its status)."""
    assert call.name is not None
    new = _object(call.body)
    _check_body(call, new)
    dry = dry_run(call.query)
    manager = _manager(call)
    store, rt = call.store, call.rt
    with store.lock:
        old = store.get(rt, call.namespace or "", call.name)
        if old is None:
            raise errors.not_found(rt, call.name)
        rv = new["metadata"].get("resourceVersion")
        if rv and rv != old["metadata"]["resourceVersion"]:
            raise errors.stale(rt, call.name)
        if not rv and rt.custom:
            raise errors.invalid(rt, call.name, [errors.invalid_value(
                "metadata.resourceVersion", 0, "must be specified for an update")])
        return commit(call, old, new, manager=manager, dry=dry)


def commit(call: Call, old: Obj, new: Obj, *, manager: str, dry: bool, applied: bool = False) -> Reply:
    """Finish an update of `old` to `new` (the shared tail of PUT, PATCH and apply).

    Args:
        call: the request.
        old: the stored object.
        new: the desired object (not yet normalised; copied here).
        manager: the field manager for managedFields.
        dry: dry run: validate and answer, store nothing.
        applied: `new` comes from server-side apply and already has its managedFields.
    """
    rt, store = call.rt, call.store
    new = copy.deepcopy(new)
    old_meta = old["metadata"]
    meta = new.setdefault("metadata", {})
    for key in _SERVER_META:
        if key in old_meta:
            meta[key] = old_meta[key]
        else:
            meta.pop(key, None)
    meta["name"] = old_meta["name"]
    if rt.namespaced:
        meta["namespace"] = old_meta.get("namespace")
    new["apiVersion"], new["kind"] = rt.api_version, rt.kind
    if call.subresource == "status":
        status = new.get("status")
        managed = meta.get("managedFields")
        new = {**copy.deepcopy(old), "apiVersion": rt.api_version, "kind": rt.kind}
        new["metadata"] = dict(new["metadata"])
        if applied and managed is not None:
            new["metadata"]["managedFields"] = managed
        if status is None:
            new.pop("status", None)
        else:
            new["status"] = status
        meta = new["metadata"]
    elif rt.status:
        if "status" in old:
            new["status"] = copy.deepcopy(old["status"])
        else:
            new.pop("status", None)
    _check_finalizers(rt, old, new)
    if call.subresource != "status":
        validation.validate_object(rt, new)
        validation.validate_update(rt, old, new)
    defaults.apply_defaults(rt.group, rt.kind, new, old, call.ips)
    if spec_of(rt, old) != spec_of(rt, new):
        meta["generation"] = int(old_meta.get("generation", 1)) + 1
    if not applied:
        fields.track_update(rt, old, new, manager=manager, now=now_rfc3339(),
                            subresource=call.subresource)
    if _comparable(output(rt, old)) == _comparable(new):
        return Reply(200, output(rt, old))
    if dry:
        return Reply(200, output(rt, new))
    return Reply(200, output(rt, store.replace(rt, old, new)))


def _check_finalizers(rt: ResourceType, old: Obj, new: Obj) -> None:
    if not old["metadata"].get("deletionTimestamp"):
        return
    before = set(old["metadata"].get("finalizers") or [])
    added = [f for f in new["metadata"].get("finalizers") or [] if f not in before]
    if added:
        shown = "[]string{" + ", ".join(json.dumps(f) for f in added) + "}"
        raise errors.invalid(rt, old["metadata"]["name"], [errors.forbidden_field(
            "metadata.finalizers",
            f"no new finalizers can be added if the object is being deleted, found new finalizers {shown}",
        )])


# ---- patch -------------------------------------------------------------------


def patch(call: Call) -> Reply:
    """PATCH: merge, JSON, strategic merge, or server-side apply."""
    assert call.name is not None
    content_type = call.content_type.split(";", 1)[0].strip().lower()
    if content_type in (APPLY_YAML, APPLY_JSON):
        return apply(call)
    accepted = [JSON_PATCH, MERGE_PATCH, APPLY_YAML] + ([] if call.rt.custom else [STRATEGIC])
    if content_type not in accepted:
        raise errors.unsupported_media_type(content_type, accepted)
    body = _json(call.body)
    if content_type == JSON_PATCH and not isinstance(body, list):
        raise errors.bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    if content_type != JSON_PATCH and not isinstance(body, dict):
        raise errors.bad_request("the body of the request must be a JSON object")
    dry = dry_run(call.query)
    manager = _manager(call)
    mod = _merge_module()
    store, rt = call.store, call.rt
    with store.lock:
        old = store.get(rt, call.namespace or "", call.name)
        if old is None:
            raise errors.not_found(rt, call.name)
        base = copy.deepcopy(output(rt, old))
        try:
            if content_type == MERGE_PATCH:
                patched = mod.merge_patch(base, body)
            elif content_type == JSON_PATCH:
                patched = mod.json_patch(base, body)
            else:
                patched = mod.strategic_merge_patch(base, body, fields.schema_for(rt))
        except mod.PatchError as exc:
            raise _patch_error(exc) from None
        if not isinstance(patched, dict):
            raise errors.bad_request("the patch did not produce an object")
        rv = (patched.get("metadata") or {}).get("resourceVersion")
        if rv and rv != old["metadata"]["resourceVersion"]:
            raise errors.stale(rt, call.name)
        _check_body(call, patched)
        return commit(call, old, patched, manager=manager, dry=dry)


def _merge_module() -> Any:
    mod = fields.merge()
    if mod is None or not fields.available():
        raise errors.ApiError(500, "InternalError",
                              "Internal error occurred: patching needs tests/apiserver/merge.py and schema.py")
    return mod


def apply(call: Call) -> Reply:
    """Server-side apply (`application/apply-patch+yaml`)."""
    assert call.name is not None
    manager = call.query.get("fieldManager")
    if not manager:
        raise errors.bad_request("PATCH with apply requires fieldManager")
    force = call.query.get("force", "false").lower() == "true"
    try:
        # Clients send JSON (which is YAML) almost always: json is ~100x faster than PyYAML's loader.
        applied = json.loads(call.body or b"null")
    except ValueError:
        try:
            applied = yaml.load(call.body or b"", Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as exc:
            raise errors.bad_request(f"error decoding YAML: {exc}") from None
    if not isinstance(applied, dict):
        raise errors.bad_request("the body of the request must be an object")
    if not applied.get("apiVersion") or not applied.get("kind"):
        raise errors.bad_request("invalid object type: apiVersion and kind must be set")
    _check_body(call, applied)
    dry = dry_run(call.query)
    mod = _merge_module()
    store, rt = call.store, call.rt
    with store.lock:
        old = store.get(rt, call.namespace or "", call.name)
        live = copy.deepcopy(output(rt, old)) if old is not None else None
        try:
            result = mod.apply(live, applied, manager=manager, force=force,
                               schema=fields.schema_for(rt), now=now_rfc3339(),
                               ignore_status=rt.status and call.subresource != "status",
                               subresource=call.subresource)
        except mod.ApplyConflict as exc:
            raise _apply_conflict(rt, call.name, exc) from None
        except mod.PatchError as exc:
            raise _patch_error(exc) from None
        if old is None:
            if call.subresource == "status":
                raise errors.not_found(rt, call.name)
            return _create(call, result, manager=manager, dry=dry, managed=True)
        return commit(call, old, result, manager=manager, dry=dry, applied=True)


def _apply_conflict(rt: ResourceType, name: str, exc: Any) -> errors.ApiError:
    """409 Conflict worded by merge.ApplyConflict (structured-merge-diff's phrasing)."""
    details = {"name": name, **({"group": rt.group} if rt.group else {}), "kind": rt.plural,
               "causes": exc.causes()}
    return errors.ApiError(409, "Conflict", exc.message(), details)


def _patch_error(exc: Any) -> errors.ApiError:
    """A merge.PatchError as the real server answers it (422 Invalid or 400 BadRequest)."""
    code = int(getattr(exc, "code", 422))
    if code == 400:
        return errors.bad_request(str(exc))
    return errors.ApiError(code, "Invalid", "the server rejected our request due to an error in our request",
                           {"causes": [{"message": str(exc)}]})


# ---- delete ------------------------------------------------------------------


def delete(call: Call) -> Reply:
    """DELETE with DeleteOptions (body) or query options."""
    assert call.name is not None
    options = _object(call.body) if call.body.strip() else {}
    policy = call.query.get("propagationPolicy") or options.get("propagationPolicy")
    if policy is None and options.get("orphanDependents") is True:
        policy = "Orphan"
    policy = policy or "Background"
    if policy not in ("Background", "Foreground", "Orphan"):
        raise errors.bad_request(
            f'propagationPolicy: Unsupported value: "{policy}": supported values: '
            '"Foreground", "Background", "Orphan"')
    dry = dry_run(call.query, options)
    pre = options.get("preconditions") or {}
    store, rt = call.store, call.rt
    with store.lock:
        old = store.get(rt, call.namespace or "", call.name)
        if old is None:
            raise errors.not_found(rt, call.name)
        meta = old["metadata"]
        if pre.get("uid") and pre["uid"] != meta.get("uid"):
            raise errors.conflict(rt, call.name, f"Precondition failed: UID in precondition: "
                                  f"{pre['uid']}, UID in object meta: {meta.get('uid')}")
        if pre.get("resourceVersion") and pre["resourceVersion"] != meta.get("resourceVersion"):
            raise errors.conflict(rt, call.name, "Precondition failed: ResourceVersion in precondition: "
                                  f"{pre['resourceVersion']}, ResourceVersion in object meta: "
                                  f"{meta.get('resourceVersion')}")
        is_namespace = rt.group == "" and rt.kind == "Namespace"
        if dry:
            if meta.get("finalizers") or is_namespace:
                marked = {**old, "metadata": {**meta, "deletionTimestamp": now_rfc3339(),
                                              "deletionGracePeriodSeconds": 0}}
                return Reply(200, output(rt, marked))
            return Reply(200, _status_ok(rt, meta))
        remaining = store.delete(rt, old, policy=policy)
        if remaining is not None:
            return Reply(200, output(rt, remaining))
        if is_namespace:
            gone = {**old, "metadata": {**meta, "deletionTimestamp": now_rfc3339()},
                    "status": {"phase": "Terminating"}}
            return Reply(200, output(rt, gone))
        return Reply(200, _status_ok(rt, meta))
