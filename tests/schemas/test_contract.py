"""The schema contract: JSON Schemas, their Python types, the examples, validation messages."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from schemas.types import NESTED_TYPES, SCHEMA_TYPES
from schemas.validation import (
    MAX_PAYLOAD_BYTES,
    SCHEMA_FILES,
    InvalidDocument,
    errors,
    load_schema,
    parse_article,
    validate,
)


def _example(kind: str) -> dict:
    return json.loads(resources.files("schemas").joinpath("examples", f"{kind}.json").read_text())


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_python_type_has_exactly_the_schema_fields(kind):
    schema = load_schema(kind)
    hints = SCHEMA_TYPES[kind]
    assert set(hints.__annotations__) == set(schema["properties"])
    assert set(hints.__required_keys__) == set(schema["required"])


@pytest.mark.parametrize("kind,field", sorted(NESTED_TYPES))
def test_nested_types_match(kind, field):
    items = load_schema(kind)["properties"][field]["items"]
    hints = NESTED_TYPES[(kind, field)]
    assert set(hints.__annotations__) == set(items["properties"])
    assert set(hints.__required_keys__) == set(items["required"])


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_valid_example_passes(kind):
    assert errors(kind, _example(kind)["valid"]) == []


def _invalid_cases():
    for kind in sorted(SCHEMA_FILES):
        for case in _example(kind)["invalid"]:
            yield pytest.param(kind, case, id=f"{kind}-{case['name']}")


@pytest.mark.parametrize("kind,case", list(_invalid_cases()))
def test_invalid_example_is_refused_naming_the_field(kind, case):
    with pytest.raises(InvalidDocument) as caught:
        validate(kind, case["document"])
    assert caught.value.field == case["field"]
    assert str(caught.value).startswith(case["field"] + ":")


def test_parse_article_derives_id_from_canonical_url():
    article = _example("article")["valid"]
    parsed = parse_article(json.dumps(article).encode())
    same_story = parse_article({**article, "url": article["url"].replace("?utm_source=rss", "#comments")})
    assert parsed["id"] == same_story["id"]
    assert len(parsed["id"]) == 32 and parsed["schema_version"] == 1


@pytest.mark.parametrize(
    "payload,needle",
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b'{"url": "u", "title": "t"}', "text: is required"),
        (b'{"url": "u", "title": 5, "text": "x"}', "title:"),
        (b'{"url": "u", "title": "", "text": "  "}', "neither title nor text"),
        (b'{"url": "u", "title": "t", "text": "' + b"x" * MAX_PAYLOAD_BYTES + b'"}', "byte limit"),
    ],
)
def test_parse_article_errors_are_clear(payload, needle):
    with pytest.raises(InvalidDocument) as caught:
        parse_article(payload)
    assert needle in str(caught.value)


def test_invalid_document_pickles():
    import pickle

    error = pickle.loads(pickle.dumps(InvalidDocument("is required", "url")))
    assert (error.reason, error.field) == ("is required", "url")
