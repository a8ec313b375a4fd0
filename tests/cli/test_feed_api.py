"""The feed API described (issue 25): every build that writes feeds writes `api/openapi.json`,
a valid OpenAPI 3.1 document (openapi-spec-validator), and every record of every feed
validates (jsonschema) against the schemas it holds, hostile values included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from support.sites import copy_example, run_cli
from test_hostile_input import HOSTILE, hostile_site

from sitegen.builder.pipeline import build as build_site
from sitegen.builder.run import BuildOptions

DOC = "urn:sitegen:openapi"


def read(root: Path, rel: str) -> Any:
    return json.loads((root / rel).read_text(encoding="utf-8"))


def validator(doc: dict[str, Any], schema: str) -> Draft202012Validator:
    """A validator for one of the document's schemas, its `$ref`s resolved in the document."""
    registry = Registry().with_resource(DOC, Resource.from_contents(doc, DRAFT202012))
    return Draft202012Validator({"$ref": f"{DOC}#/components/schemas/{schema}"},
                                registry=registry, format_checker=FormatChecker())


def errors(doc: dict[str, Any], schema: str, instance: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(doc, schema).iter_errors(instance)]


def assert_feeds_match_the_document(root: Path) -> dict[str, Any]:
    doc = read(root, "api/openapi.json")
    validate(doc)  # raises OpenAPIValidationError with the path of the first problem
    Draft202012Validator.check_schema(doc["components"]["schemas"]["Location"])
    collection = read(root, "api/locations.json")
    assert errors(doc, "LocationCollection", collection) == []
    location = Draft202012Validator(doc["components"]["schemas"]["Location"],
                                    format_checker=FormatChecker())  # alone: no $ref
    for record in collection["locations"]:
        assert list(location.iter_errors(record)) == [], record["id"]
    for path in sorted((root / "api" / "locations").glob("*.json")):  # optional files
        assert list(location.iter_errors(read(root, f"api/locations/{path.name}"))) == []
    assert errors(doc, "LocationFeatureCollection", read(root, "api/locations.geojson")) == []
    assert errors(doc, "Manifest", read(root, "api/manifest.json")) == []
    return doc


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_example(tmp_path_factory.mktemp("api") / "site")
    result = run_cli("build", "--source", site)
    assert result.returncode == 0, str(result)
    return site / "dist" / "production"


def test_the_production_build_describes_its_feeds_in_openapi_3_1(production: Path) -> None:
    doc = assert_feeds_match_the_document(production)
    assert doc["openapi"] == "3.1.0"
    assert doc["servers"] == [{"url": "https://www.juniperoak.example"}]
    assert sorted(doc["paths"]) == ["/api/locations.csv", "/api/locations.geojson",
                                    "/api/locations.json", "/api/locations/{key}.json",
                                    "/api/manifest.json"]
    listing = doc["paths"]["/api/locations.json"]["get"]
    assert set(listing["responses"]) == {"200", "304", "404"}
    assert listing["parameters"] == [{"$ref": "#/components/parameters/IfNoneMatch"}]
    assert "Optional" in doc["paths"]["/api/locations/{key}.json"]["get"]["description"]
    manifest = read(production, "api/manifest.json")
    assert "api/openapi.json" in {f["path"] for f in manifest["files"]}


def test_a_record_that_breaks_the_schema_is_caught(production: Path) -> None:
    doc = read(production, "api/openapi.json")
    record = read(production, "api/locations.json")["locations"][0]
    broken = {**record, "lat": 91, "hours": {"monday": [["9:00", "17:00"]]}, "surprise": 1}
    del broken["name"]
    found = errors(doc, "Location", broken)
    assert any(e.startswith("lat: 91 is greater than the maximum") for e in found), found
    assert any(e.startswith("hours/monday/0/0: '9:00' does not match") for e in found), found
    assert any("'name' is a required property" in e for e in found), found
    assert any("'surprise' was unexpected" in e for e in found), found


def test_a_development_build_writes_the_document_too(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    result = run_cli("build", "--env", "development", "--source", site)
    assert result.returncode == 0, str(result)
    out = site / "dist" / "development"
    doc = assert_feeds_match_the_document(out)
    assert doc["servers"] == [{"url": "http://127.0.0.1:8000"}]


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(values=st.lists(HOSTILE, min_size=1, max_size=24))
def test_hostile_values_still_make_valid_records(tmp_path_factory: pytest.TempPathFactory,
                                                 values: list[str]) -> None:
    """Built in this process, as test_hostile_input.py builds its sites (no CLI start-up an
    example)."""
    site = hostile_site(tmp_path_factory.mktemp("hostile-api"), values)
    out = build_site(BuildOptions(site, "production", environ={}, jobs=1)).out_dir
    assert_feeds_match_the_document(out)
