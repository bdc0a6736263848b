"""Runs the cross-language scenario files in tests/scenarios/ through the Python client, exactly as
core/tests/scenarios.rs runs them through the Rust one (see tests/scenarios/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import REPO, WRONG_KEY, Sandbox

import zkit

SCENARIOS = sorted((REPO / "tests" / "scenarios").glob("*.json"))


def matches(expected: Any, actual: Any) -> bool:
    """Whether `actual` matches `expected`: objects by expected keys, arrays by length and element,
    numbers by value, anything else by equality."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(map(matches, expected, actual))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return float(expected) == float(actual)
    return type(expected) is type(actual) and bool(expected == actual)


def options(step: dict[str, Any]) -> dict[str, Any]:
    given = step.get("options", {})
    out: dict[str, Any] = {}
    if "max_retries" in given:
        out["max_retries"] = given["max_retries"]
    if "timeout_ms" in given:
        out["timeout"] = given["timeout_ms"] / 1000
    return out


def run_step(sandbox: Sandbox, clients: dict[str, zkit.SyncClient], step: dict[str, Any]) -> None:
    if "advance_clock_seconds" in step:
        sandbox.advance_clock(step["advance_clock_seconds"])
        return
    if "fault" in step:
        sandbox.fault(**step["fault"])
        return
    operation = step.get("call")
    assert isinstance(operation, str), "a step needs call, fault or advance_clock_seconds"
    client = clients[step.get("client", "default")]
    sent_before = len(sandbox.journal())
    expected_error = step.get("expect_error")
    try:
        response = client.call_json(operation, step.get("input", {}), **options(step))
    except zkit.ZkitError as error:
        assert expected_error is not None, f"{operation}: unexpected error {error!r}"
        actual = {
            "kind": error.kind,
            "status": error.status,
            "code": error.code,
            "message": error.message,
            "field": error.field,
            "retry_after_seconds": error.retry_after,
        }
        assert matches(expected_error, actual), f"{operation}: expected error {expected_error}, got {actual}"
        if error.kind == "invalid_input":
            assert len(sandbox.journal()) == sent_before, f"{operation}: invalid input reached the sandbox"
        return
    assert expected_error is None, f"{operation}: expected error {expected_error}, got {response.data!r}"
    expected = step.get("expect")
    assert matches(expected, response.data), f"{operation}: expected {expected}, got {response.data!r}"
    if "expect_attempts" in step:
        assert response.attempts == step["expect_attempts"], (
            f"{operation}: expected {step['expect_attempts']} attempts, took {response.attempts}"
        )


def test_scenario_files_are_found() -> None:
    assert len(SCENARIOS) >= 5, SCENARIOS


@pytest.mark.parametrize("path", SCENARIOS, ids=[path.stem for path in SCENARIOS])
def test_scenario(path: Path, sandbox: Sandbox) -> None:
    scenario = json.loads(path.read_text())
    client_class: type[zkit.SyncClient] = getattr(zkit, scenario["api"].capitalize())
    described = sandbox.api(scenario["api"])
    settings: dict[str, dict[str, Any]] = {
        "default": {"api_key": described["api_key"]},
        "wrong_key": {"api_key": WRONG_KEY},
        **scenario.get("clients", {}),
    }
    clients = {
        name: client_class(base_url=described["base_url"], jitter_seed=7, **values)
        for name, values in settings.items()
    }
    try:
        for index, step in enumerate(scenario["steps"]):
            try:
                run_step(sandbox, clients, step)
            except AssertionError as failure:
                raise AssertionError(f"{path.name} step {index}: {failure}") from None
    finally:
        for client in clients.values():
            client.close()


def test_partial_matching_rules() -> None:
    assert matches({"a": 1}, {"a": 1, "b": 2})
    assert not matches({"a": 1, "c": 3}, {"a": 1, "b": 2})
    assert not matches([{"a": 1}], [{"a": 1}, {"a": 2}])
    assert matches(None, None)
    assert not matches(None, [])
    assert matches(1, 1.0)
    assert not matches(1, True) and not matches(True, 1)
    assert not matches("1", 1)
