"""Results as typed, immutable models: attributes, raw access by wire name, unknown fields, equality,
repr, copies and pickling. No sandbox needed."""

from __future__ import annotations

import copy
import pickle

import pytest

import zkit

APP = {
    "name": "my-app",
    "status": "running",
    "type": "container",
    "image": "nginx:alpine",
    "port": 80,
    "zone": "eu-west",
    "labels": {"team": "web"},
}


def test_attributes_and_wire_access() -> None:
    app = zkit.App(APP)
    assert (app.name, app.status, app.type, app.image, app.port) == ("my-app", "running", "container", "nginx:alpine", 80)
    assert (app.url, app.instances, app.created_at) == (None, None, None), "absent optional fields are None"
    assert app["zone"] == "eu-west"
    assert app.get("missing", 7) == 7
    assert "zone" in app and "url" not in app
    assert list(app) == list(APP)
    with pytest.raises(KeyError):
        app["url"]


def test_extra_holds_what_the_model_does_not_name() -> None:
    assert zkit.App(APP).extra == {"zone": "eu-west", "labels": {"team": "web"}}
    entry = zkit.FileEntry({"path": "a.txt", "length": 3, "lastModified": "2026-01-15T10:30:00Z", "etag": "x"})
    assert entry.last_modified == "2026-01-15T10:30:00Z"
    assert entry.extra == {"etag": "x"}, "a renamed wire field is named, not extra"


def test_nested_models() -> None:
    done = zkit.FinalizedDeploy(
        {
            "deploy_id": "d-1",
            "timestamp": "2026-01-15T10:30:00Z",
            "cache_purged": True,
            "summary": {"files_uploaded": 2, "files_deleted": 1, "total_bytes": 15},
        }
    )
    assert isinstance(done.summary, zkit.DeploySummary)
    assert done.summary.total_bytes == 15
    assert done.summary == zkit.DeploySummary({"files_uploaded": 2, "files_deleted": 1, "total_bytes": 15})
    assert repr(done) == (
        "FinalizedDeploy(deploy_id='d-1', timestamp='2026-01-15T10:30:00Z', cache_purged=True, "
        "summary=DeploySummary(files_uploaded=2, files_deleted=1, total_bytes=15))"
    )


def test_immutable_and_copied_on_the_way_in_and_out() -> None:
    data = dict(APP)
    app = zkit.App(data)
    data["name"] = "changed"
    assert app.name == "my-app", "the model keeps its own copy"
    with pytest.raises(AttributeError):
        app.name = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        app.anything = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        del app.name
    out = app.to_dict()
    out["labels"]["team"] = "ops"
    assert app["labels"] == {"team": "web"}, "to_dict is a deep copy"
    with pytest.raises(TypeError):
        zkit.App(["not", "a", "mapping"])  # type: ignore[arg-type]


def test_equality_repr_copy_and_pickle() -> None:
    app = zkit.App(APP)
    assert app == zkit.App(dict(APP))
    assert app != zkit.App({**APP, "port": 81})
    assert app != zkit.Deploy(APP), "different models are never equal"
    assert app != APP
    with pytest.raises(TypeError):
        hash(app)
    assert repr(app) == (
        "App(name='my-app', status='running', type='container', image='nginx:alpine', port=80, "
        "extra={'zone': 'eu-west', 'labels': {'team': 'web'}})"
    )
    assert copy.copy(app) is app
    assert copy.deepcopy(app) == app
    restored = pickle.loads(pickle.dumps(app))
    assert type(restored) is zkit.App and restored == app


def test_responses_print_without_their_bodies() -> None:
    raw = zkit.RawResponse(
        {"status": 200, "headers": {"x": "y"}, "body": b'{"a": 1}', "request_id": "req_1", "attempts": 2}
    )
    assert raw.json() == {"a": 1}
    assert repr(raw) == "RawResponse(status=200, request_id='req_1', attempts=2, body=<8 bytes>)"
    empty = zkit.RawResponse({"status": 204, "headers": {}, "body": b"", "request_id": None, "attempts": 1})
    assert empty.json() is None and empty.text == ""
