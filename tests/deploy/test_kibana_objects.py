"""The Kibana saved objects in deploy/kibana agree with themselves and with the index templates.

No Kibana and no Elasticsearch: the checks read ``peacewatch.ndjson`` and the templates under
``schemas/elasticsearch/`` and fail when a chart, search or data view names a field the
templates do not map, aggregates a field that cannot be aggregated, or points at an object that
is not in the file. They cannot prove that Kibana renders the charts; see deploy/README.md.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from deploy.kibana.render import main as render_main
from deploy.kibana.render import render
from peacewatch.settings import INDICES

ROOT = Path(__file__).resolve().parents[2]
KIBANA_DIR = ROOT / "deploy" / "kibana"
NDJSON = KIBANA_DIR / "peacewatch.ndjson"
TEMPLATES = ROOT / "schemas" / "elasticsearch"
PREFIX = "peacewatch"
DASHBOARD_TITLE = "peacewatch: who backs the force"
BOARD_TITLE = "Stance board"
# each dashboard's main data view (its own query is checked against it)
DASHBOARD_INDEX = {"peacewatch-dashboard": "articles", "peacewatch-stance-board": "reports"}

NUMERIC = {"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float", "unsigned_long"}
DATES = {"date", "date_nanos"}
AGGREGATABLE = NUMERIC | DATES | {"keyword", "constant_keyword", "boolean", "ip"}
LENS_DATA_TYPES = {
    **{t: "number" for t in NUMERIC},
    **{t: "date" for t in DATES},
    "keyword": "string",
    "constant_keyword": "string",
    "boolean": "boolean",
    "ip": "ip",
}
# Lens operations on a field and what the field must be.
BUCKET_OPERATIONS = {"terms": AGGREGATABLE, "date_histogram": DATES, "range": NUMERIC}
METRIC_OPERATIONS = {
    op: NUMERIC
    for op in ("sum", "average", "median", "percentile", "percentile_rank", "min", "max", "standard_deviation")
}
METRIC_OPERATIONS.update({"unique_count": AGGREGATABLE, "last_value": AGGREGATABLE})
RECORDS = "___records___"  # Lens's pseudo-field for "count of documents"

# typeMigrationVersion per type: the versions these objects are written in. Kibana migrates
# older documents forward on import but refuses ones newer than it knows, so each must be no
# newer than what Kibana 9.0 ships (dashboard model version 2 exists since 8.16).
TYPE_MIGRATION_VERSIONS = {"index-pattern": "8.0.0", "search": "8.0.0", "lens": "8.9.0", "dashboard": "10.2.0"}
# The attributes the dashboard schema accepts (its model version 1 forbids unknown keys).
DASHBOARD_ATTRIBUTES = {
    "title",
    "description",
    "kibanaSavedObjectMeta",
    "timeRestore",
    "timeFrom",
    "timeTo",
    "refreshInterval",
    "controlGroupInput",
    "panelsJSON",
    "optionsJSON",
    "hits",
    "version",
}
# The attributes a saved search of the pre-tabs format may have (Kibana 9.x backfills tabs).
SEARCH_ATTRIBUTES = {
    "title",
    "description",
    "columns",
    "sort",
    "grid",
    "rowHeight",
    "rowsPerPage",
    "hideChart",
    "breakdownField",
    "kibanaSavedObjectMeta",
    "isTextBasedQuery",
    "usesAdHocDataView",
    "timeRestore",
    "timeRange",
    "refreshInterval",
    "viewMode",
    "hideAggregatedPreview",
    "hits",
    "version",
}


# ---------------------------------------------------------------------------------------------
# helpers


def _load(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@cache
def _objects() -> tuple[dict[str, Any], ...]:
    return tuple(_load(NDJSON.read_text(encoding="utf-8")))


def _of_type(kind: str) -> list[dict[str, Any]]:
    return [obj for obj in _objects() if obj["type"] == kind]


def _by_key() -> dict[tuple[str, str], dict[str, Any]]:
    return {(obj["type"], obj["id"]): obj for obj in _objects()}


@cache
def _template(index: str) -> dict[str, Any]:
    return json.loads((TEMPLATES / f"{index}.json").read_text(encoding="utf-8"))["mappings"]


def _index_of_view(view_id: str) -> str:
    """The index (``articles``, ...) behind a data view in the file, from its title."""
    view = _by_key()[("index-pattern", view_id)]
    title = view["attributes"]["title"]
    assert title.startswith(PREFIX + "-"), f"data view {view_id} title {title!r} is not a {PREFIX}- alias"
    index = title[len(PREFIX) + 1 :]
    assert index in INDICES, f"data view {view_id} title {title!r} names no peacewatch index"
    return index


def _view_for(obj: dict[str, Any], ref_name: str) -> str:
    refs = [r for r in obj["references"] if r["name"] == ref_name]
    assert len(refs) == 1, f"{obj['type']} {obj['id']}: expected one reference named {ref_name!r}"
    assert refs[0]["type"] == "index-pattern", f"{obj['id']}: {ref_name} is not a data view reference"
    return refs[0]["id"]


def resolve_field(mappings: dict[str, Any], dotted: str) -> dict[str, Any] | None:
    """The mapping of a dotted field path, through ``properties`` and multi-field ``fields``."""
    node: dict[str, Any] = {"properties": mappings.get("properties", {})}
    parts = dotted.split(".")
    for position, part in enumerate(parts):
        if part in node.get("properties", {}):
            node = node["properties"][part]
        elif position == len(parts) - 1 and part in node.get("fields", {}):
            node = node["fields"][part]
        else:
            return None
    return node


def _leaf(index: str, field: str, where: str) -> dict[str, Any]:
    mapping = resolve_field(_template(index), field)
    assert mapping is not None, f"{where}: field {field!r} is not mapped in schemas/elasticsearch/{index}.json"
    assert "type" in mapping and mapping["type"] != "object", (
        f"{where}: {field!r} in {index}.json is an object, not a field"
    )
    return mapping


def _assert_aggregatable(index: str, field: str, allowed: set[str], where: str) -> dict[str, Any]:
    mapping = _leaf(index, field, where)
    assert mapping["type"] in allowed, (
        f"{where}: {field!r} is {mapping['type']} in {index}.json; this use needs one of {sorted(allowed)}"
    )
    assert mapping.get("doc_values", True), f"{where}: {field!r} has doc_values disabled in {index}.json"
    return mapping


def _assert_searchable(index: str, field: str, where: str) -> None:
    mapping = _leaf(index, field, where)
    assert mapping.get("index", True), f"{where}: {field!r} is not indexed in {index}.json, so cannot be queried"


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_KQL_FIELD = re.compile(r"(?<![\w.*])([A-Za-z_@][\w.@]*)\s*(?::|<=|>=|<|>)")


def kql_fields(query: str) -> set[str]:
    """Field names in a KQL query (``field : value``, ``field >= n``); quoted values are skipped."""
    return set(_KQL_FIELD.findall(_QUOTED.sub('""', query)))


def _assert_query(index: str, query: dict[str, Any] | None, where: str) -> None:
    if not query:
        return
    assert query.get("language") == "kuery", f"{where}: only KQL queries are checked; got {query.get('language')!r}"
    for field in kql_fields(query.get("query", "")):
        _assert_searchable(index, field, f"{where} query")


def _assert_filters(index: str, filters: list[dict[str, Any]], where: str) -> None:
    for flt in filters:
        key = (flt.get("meta") or {}).get("key")
        if key and key != "query":
            _assert_searchable(index, key, f"{where} filter")


def _lens_layers(lens: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(layer id, layer, index) for each form-based layer of a Lens visualization."""
    layers = lens["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]
    assert layers, f"lens {lens['id']} has no layers"
    for layer_id, layer in layers.items():
        view = _view_for(lens, f"indexpattern-datasource-layer-{layer_id}")
        yield layer_id, layer, _index_of_view(view)


def _visualization_accessors(lens: dict[str, Any]) -> dict[str, set[str]]:
    """Column ids the visualization uses, per layer id."""
    vis = lens["attributes"]["state"]["visualization"]
    kind = lens["attributes"]["visualizationType"]
    used: dict[str, set[str]] = {}
    if kind == "lnsXY":
        for layer in vis["layers"]:
            ids = {layer.get("xAccessor"), layer.get("splitAccessor"), *layer.get("accessors", [])}
            used.setdefault(layer["layerId"], set()).update(i for i in ids if i)
    elif kind == "lnsMetric":
        ids = {vis.get(k) for k in ("metricAccessor", "secondaryMetricAccessor", "maxAccessor", "breakdownByAccessor")}
        used[vis["layerId"]] = {i for i in ids if i}
    elif kind == "lnsDatatable":
        used[vis["layerId"]] = {column["columnId"] for column in vis["columns"]}
    elif kind == "lnsPie":
        for layer in vis["layers"]:
            used.setdefault(layer["layerId"], set()).update(
                {*layer.get("primaryGroups", []), *layer.get("metrics", [])}
            )
    else:
        pytest.fail(f"lens {lens['id']}: visualization type {kind} is not checked by this test; teach it")
    return used


# ---------------------------------------------------------------------------------------------
# the file as a whole


def test_every_line_is_a_saved_object():
    lines = [line for line in NDJSON.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines, "peacewatch.ndjson is empty"
    for number, line in enumerate(lines, start=1):
        obj = json.loads(line)
        assert isinstance(obj, dict), f"line {number} is not an object"
        assert isinstance(obj.get("type"), str) and obj["type"], f"line {number} has no type"
        assert isinstance(obj.get("id"), str) and obj["id"], f"line {number} has no id"
        assert isinstance(obj.get("attributes"), dict), f"line {number} has no attributes"
        assert isinstance(obj.get("references"), list), f"line {number} has no references list"


def test_ids_are_stable_unique_and_prefixed():
    keys = [(obj["type"], obj["id"]) for obj in _objects()]
    assert len(keys) == len(set(keys)), "duplicate (type, id) pairs"
    for kind, object_id in keys:
        assert object_id.startswith(PREFIX + "-"), (
            f"{kind} id {object_id!r} should start with {PREFIX}- so render() can rename it"
        )
        assert re.fullmatch(r"[a-z0-9-]+", object_id), f"{kind} id {object_id!r}: keep ids to a-z, 0-9 and -"


def test_every_reference_points_at_an_object_in_the_file():
    known = set(_by_key())
    for obj in _objects():
        names = [ref["name"] for ref in obj["references"]]
        assert len(names) == len(set(names)), f"{obj['id']}: duplicate reference names"
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in known, (
                f"{obj['type']} {obj['id']} references missing {ref['type']} {ref['id']}"
            )


@pytest.mark.parametrize("kind", sorted(TYPE_MIGRATION_VERSIONS))
def test_migration_versions(kind):
    for obj in _of_type(kind):
        assert obj.get("coreMigrationVersion") == "8.8.0", f"{obj['id']}: coreMigrationVersion"
        assert obj.get("typeMigrationVersion") == TYPE_MIGRATION_VERSIONS[kind], f"{obj['id']}: typeMigrationVersion"


def test_only_known_types():
    assert {obj["type"] for obj in _objects()} <= set(TYPE_MIGRATION_VERSIONS)


def test_the_promised_objects_are_there():
    titles = {(obj["type"], obj["attributes"]["title"]) for obj in _objects()}
    for expected in [
        ("search", "Relevant articles"),
        ("search", "Stances: oppose"),
        ("search", "Dead letters by stage"),
        ("search", "Alerts"),
        ("lens", "Stance by actor"),
        ("lens", "Top countries mentioned"),
        ("lens", "Relevant articles per day"),
        ("lens", "Alerts per rule"),
        ("lens", "Dead letters by stage"),
        ("lens", "Latency p95"),
        ("dashboard", DASHBOARD_TITLE),
        ("dashboard", BOARD_TITLE),
        ("lens", "Latest stance per actor"),
        ("lens", "Stance reports over time"),
        ("lens", "Sources of the stance reports"),
        ("search", "Stance board: support"),
        ("search", "Stance board: oppose"),
        ("search", "Stance board: undecided"),
    ]:
        assert expected in titles, f"missing {expected}"


# ---------------------------------------------------------------------------------------------
# data views


def test_one_data_view_per_alias_with_its_time_field():
    views = {obj["attributes"]["title"]: obj for obj in _of_type("index-pattern")}
    assert sorted(views) == sorted(f"{PREFIX}-{index}" for index in INDICES)
    expected_time = {
        "articles": "published",
        "alerts": "created",
        "deadletter": "created",
        "stances": "window_start",
        "reports": "time",
    }
    for index in INDICES:
        view = views[f"{PREFIX}-{index}"]
        assert view["id"] == f"{PREFIX}-{index}"
        time_field = view["attributes"]["timeFieldName"]
        assert time_field == expected_time[index]
        _assert_aggregatable(index, time_field, DATES, f"data view {view['id']} timeFieldName")
        for key in ("fields", "fieldAttrs", "fieldFormatMap", "runtimeFieldMap", "sourceFilters"):
            json.loads(view["attributes"].get(key, "null"))  # Kibana stores these as JSON strings


# ---------------------------------------------------------------------------------------------
# saved searches


@pytest.mark.parametrize("search", _of_type("search"), ids=lambda s: s["id"])
def test_saved_search_fields_are_mapped(search):
    attributes = search["attributes"]
    assert set(attributes) <= SEARCH_ATTRIBUTES, f"unexpected attributes {set(attributes) - SEARCH_ATTRIBUTES}"
    source = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
    index = _index_of_view(_view_for(search, source["indexRefName"]))
    where = f"search {search['id']}"
    assert attributes["columns"], f"{where} shows no columns"
    for column in attributes["columns"]:
        _leaf(index, column, f"{where} column")
    assert attributes["sort"], f"{where} has no sort"
    for field, direction in attributes["sort"]:
        assert direction in ("asc", "desc")
        _assert_aggregatable(index, field, AGGREGATABLE, f"{where} sort")
    _assert_query(index, source.get("query"), where)
    _assert_filters(index, source.get("filter", []), where)


# ---------------------------------------------------------------------------------------------
# Lens


@pytest.mark.parametrize("lens", _of_type("lens"), ids=lambda v: v["id"])
def test_lens_columns_are_mapped_and_aggregatable(lens):
    state = lens["attributes"]["state"]
    for layer_id, layer, index in _lens_layers(lens):
        where = f"lens {lens['id']} layer {layer_id}"
        columns = layer["columns"]
        assert columns, f"{where} has no columns"
        assert sorted(layer["columnOrder"]) == sorted(columns), f"{where}: columnOrder and columns differ"
        for column_id, column in columns.items():
            here = f"{where} column {column_id}"
            operation, field = column["operationType"], column.get("sourceField")
            if operation == "count":
                assert field == RECORDS or field is None or _leaf(index, field, here)
            elif operation in BUCKET_OPERATIONS:
                assert column["isBucketed"] is True, f"{here}: {operation} is a bucket"
                mapping = _assert_aggregatable(index, field, BUCKET_OPERATIONS[operation], here)
                assert column["dataType"] == LENS_DATA_TYPES[mapping["type"]], (
                    f"{here}: dataType {column['dataType']} but {field} is {mapping['type']}"
                )
            elif operation in METRIC_OPERATIONS:
                assert column["isBucketed"] is False, f"{here}: {operation} is a metric"
                _assert_aggregatable(index, field, METRIC_OPERATIONS[operation], here)
            else:
                pytest.fail(f"{here}: operation {operation} is not checked by this test; teach it")
            order = (column.get("params") or {}).get("orderBy") or {}
            if order.get("type") == "column":
                assert order["columnId"] in columns, f"{here}: orders by a column that does not exist"
            if column.get("filter"):
                _assert_query(index, column["filter"], f"{here} filter")
        _assert_query(index, state.get("query"), f"lens {lens['id']}")
        _assert_filters(index, state.get("filters", []), f"lens {lens['id']}")


@pytest.mark.parametrize("lens", _of_type("lens"), ids=lambda v: v["id"])
def test_lens_visualization_uses_existing_columns(lens):
    layers = {layer_id: layer for layer_id, layer, _ in _lens_layers(lens)}
    used = _visualization_accessors(lens)
    assert used, f"lens {lens['id']} shows nothing"
    for layer_id, accessors in used.items():
        assert layer_id in layers, f"lens {lens['id']}: visualization layer {layer_id} has no data layer"
        missing = accessors - set(layers[layer_id]["columns"])
        assert not missing, f"lens {lens['id']}: visualization uses unknown columns {missing}"
        unused = set(layers[layer_id]["columns"]) - accessors
        assert not unused, f"lens {lens['id']}: columns {unused} are computed but not shown"


def test_stance_by_actor_is_stacked_by_stance_from_the_stances_index():
    lens = next(v for v in _of_type("lens") if v["attributes"]["title"] == "Stance by actor")
    ((_, layer, index),) = _lens_layers(lens)
    assert index == "stances"
    (vis_layer,) = lens["attributes"]["state"]["visualization"]["layers"]
    assert "stacked" in vis_layer["seriesType"]
    columns = layer["columns"]
    assert columns[vis_layer["xAccessor"]]["sourceField"] == "actor"
    assert columns[vis_layer["splitAccessor"]]["sourceField"] == "stance"
    (metric,) = [columns[a] for a in vis_layer["accessors"]]
    assert (metric["operationType"], metric["sourceField"]) == ("sum", "count")


# ---------------------------------------------------------------------------------------------
# dashboard


def _controls(dashboard: dict[str, Any]) -> dict[str, dict[str, Any]]:
    group = dashboard["attributes"].get("controlGroupInput")
    return json.loads(group["panelsJSON"]) if group else {}


@pytest.mark.parametrize("dashboard", _of_type("dashboard"), ids=lambda d: d["id"])
def test_dashboard_panels_resolve_and_fit_the_grid(dashboard):
    attributes = dashboard["attributes"]
    assert attributes["title"] in (DASHBOARD_TITLE, BOARD_TITLE)
    assert set(attributes) <= DASHBOARD_ATTRIBUTES, f"unexpected attributes {set(attributes) - DASHBOARD_ATTRIBUTES}"
    json.loads(attributes["optionsJSON"])
    _assert_query(
        DASHBOARD_INDEX[dashboard["id"]],
        json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"]).get("query"),
        "dashboard",
    )
    panels = json.loads(attributes["panelsJSON"])
    control_refs = {f"controlGroup_{cid}:optionsListDataView" for cid in _controls(dashboard)}
    refs = {ref["name"]: ref for ref in dashboard["references"] if ref["name"] not in control_refs}
    cells: dict[tuple[int, int], str] = {}
    for panel in panels:
        index = panel["panelIndex"]
        grid = panel["gridData"]
        assert grid["i"] == index, f"panel {index}: gridData.i differs from panelIndex"
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 48 and grid["w"] > 0 and grid["h"] > 0, (
            f"panel {index} is off the grid"
        )
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in cells, f"panels {index} and {cells[(x, y)]} overlap"
                cells[(x, y)] = index
        ref = refs.get(f"{index}:{panel['panelRefName']}")
        assert ref is not None, f"panel {index}: no reference named {index}:{panel['panelRefName']}"
        assert ref["type"] == panel["type"], f"panel {index}: type {panel['type']} but reference is {ref['type']}"
    assert len({p["panelIndex"] for p in panels}) == len(panels), "duplicate panelIndex"
    assert len(refs) == len(panels), "references that no panel uses"


def test_every_lens_is_on_a_dashboard():
    on_dashboard = {ref["id"] for d in _of_type("dashboard") for ref in d["references"]}
    for lens in _of_type("lens"):
        assert lens["id"] in on_dashboard, f"lens {lens['id']} is not on a dashboard"


@pytest.mark.parametrize("dashboard", _of_type("dashboard"), ids=lambda d: d["id"])
def test_dashboard_controls_use_aggregatable_fields(dashboard):
    refs = {ref["name"]: ref for ref in dashboard["references"]}
    for control_id, control in _controls(dashboard).items():
        assert control["type"] == "optionsListControl", f"control {control_id}: type {control['type']} is not checked"
        assert "dataViewId" not in control["explicitInput"], (
            "the data view goes in the references (render.py renames them)"
        )
        ref = refs.get(f"controlGroup_{control_id}:optionsListDataView")
        assert ref is not None and ref["type"] == "index-pattern", f"control {control_id}: no data view reference"
        _assert_aggregatable(
            _index_of_view(ref["id"]), control["explicitInput"]["fieldName"], AGGREGATABLE, f"control {control_id}"
        )


def test_the_stance_board_filters_by_mission_over_a_year_with_a_search_per_stance():
    board = _by_key()[("dashboard", "peacewatch-stance-board")]
    attributes = board["attributes"]
    assert (attributes["timeRestore"], attributes["timeFrom"], attributes["timeTo"]) == (True, "now-1y", "now")
    fields = {c["explicitInput"]["fieldName"] for c in _controls(board).values()}
    assert {"mission", "language"} <= fields
    on_board = {ref["id"] for ref in board["references"]}
    for stance in ("support", "oppose", "undecided"):
        search = _by_key()[("search", f"peacewatch-search-board-{stance}")]
        assert search["id"] in on_board
        query = json.loads(search["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])["query"]["query"]
        assert query == f'stance : "{stance}"'
        assert {"actor", "mission", "evidence", "url"} <= set(search["attributes"]["columns"])
    # every chart on the board reads the reports, so the mission control and an alert link's
    # 'mission:"ukraine"' query filter all of them
    for ref in board["references"]:
        if ref["type"] == "lens":
            lens = _by_key()[("lens", ref["id"])]
            assert {index for _, _, index in _lens_layers(lens)} == {"reports"}


# ---------------------------------------------------------------------------------------------
# the checker itself


def test_resolve_field_follows_properties_and_multi_fields():
    articles = _template("articles")
    assert resolve_field(articles, "source.keyword")["type"] == "keyword"
    assert resolve_field(articles, "stances.stance")["type"] == "keyword"
    assert resolve_field(articles, "entities.text.keyword")["type"] == "keyword"
    assert resolve_field(articles, "title")["type"] == "text"
    assert resolve_field(articles, "source.nope") is None
    assert resolve_field(articles, "nope") is None


def test_the_checks_reject_text_fields_and_unmapped_names():
    with pytest.raises(AssertionError, match="needs one of"):
        _assert_aggregatable("articles", "title", AGGREGATABLE, "probe")
    with pytest.raises(AssertionError, match="not mapped"):
        _leaf("articles", "sourcekeyword", "probe")
    with pytest.raises(AssertionError, match="not indexed"):
        _assert_searchable("deadletter", "payload", "probe")


def test_kql_fields():
    assert kql_fields('relevant : true and stances.stance : "oppose: now" or not latency_ms >= 5') == {
        "relevant",
        "stances.stance",
        "latency_ms",
    }
    assert kql_fields("") == set()


# ---------------------------------------------------------------------------------------------
# render()


def test_render_with_the_default_prefix_changes_nothing():
    text = NDJSON.read_text(encoding="utf-8")
    assert render(text, PREFIX) == text


def test_render_rewrites_every_title_and_id_for_another_prefix():
    rendered = _load(render(NDJSON.read_text(encoding="utf-8"), "staging"))
    assert len(rendered) == len(_objects())
    titles = sorted(obj["attributes"]["title"] for obj in rendered if obj["type"] == "index-pattern")
    assert titles == sorted(f"staging-{index}" for index in INDICES)
    keys = {(obj["type"], obj["id"]) for obj in rendered}
    for obj in rendered:
        assert obj["id"].startswith("staging-"), obj["id"]
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in keys, f"{obj['id']}: dangling reference {ref['id']} after render"
    assert PREFIX + "-" not in json.dumps([o for o in rendered if o["type"] == "index-pattern"])


@pytest.mark.parametrize("prefix", ["", "Upper", "with space", "-lead", "star*", "a/b", "a:b"])
def test_render_rejects_bad_prefixes(prefix):
    with pytest.raises(ValueError, match="invalid prefix"):
        render(NDJSON.read_text(encoding="utf-8"), prefix)


def test_render_cli_writes_a_file(tmp_path):
    out = tmp_path / "objects.ndjson"
    assert render_main(["--prefix", "pw2", "--output", str(out)]) == 0
    assert {o["attributes"]["title"] for o in _load(out.read_text()) if o["type"] == "index-pattern"} == {
        f"pw2-{index}" for index in INDICES
    }
    assert render_main(["--prefix", "BAD", "--output", str(out)]) == 2


# ---------------------------------------------------------------------------------------------
# import.sh, against a stand-in curl


FAKE_CURL = textwrap.dedent("""\
    #!/usr/bin/env bash
    # Records what import.sh asks of curl and answers like Kibana's import API.
    cat > "$CAPTURE/stdin"
    printf '%s\\n' "$@" > "$CAPTURE/argv"
    out=""; prev=""
    for arg in "$@"; do
      [ "$prev" = "-o" ] && out="$arg"
      case "$arg" in file=@*) f="${arg#file=@}"; cp "${f%%;*}" "$CAPTURE/uploaded.ndjson";; esac
      prev="$arg"
    done
    printf '%s' "$RESPONSE" > "$out"
    printf '200'
""")


def _run_import(tmp_path: Path, response: str, **env: str) -> subprocess.CompletedProcess:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    curl = bin_dir / "curl"
    curl.write_text(FAKE_CURL)
    curl.chmod(0o755)
    python_dir = Path(sys.executable).parent
    environ = {
        "PATH": f"{bin_dir}:{python_dir}:/usr/bin:/bin",
        "CAPTURE": str(tmp_path),
        "RESPONSE": response,
        "HOME": str(tmp_path),
        **env,
    }
    return subprocess.run(
        ["bash", str(KIBANA_DIR / "import.sh")], env=environ, capture_output=True, text=True, timeout=60
    )


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_import_posts_with_xsrf_and_keeps_the_api_key_out_of_sight(tmp_path):
    secret = "c2VjcmV0LWlkOnNlY3JldC1rZXk="
    result = _run_import(
        tmp_path, '{"success":true,"successCount":17}', KIBANA_URL="http://kibana.test:5601/", KIBANA_API_KEY=secret
    )
    assert result.returncode == 0, result.stderr
    argv = (tmp_path / "argv").read_text()
    assert "http://kibana.test:5601/api/saved_objects/_import?overwrite=true" in argv
    assert "kbn-xsrf: true" in argv
    assert secret not in argv and secret not in result.stdout + result.stderr
    assert f"Authorization: ApiKey {secret}" in (tmp_path / "stdin").read_text()
    assert (tmp_path / "uploaded.ndjson").read_text() == NDJSON.read_text()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_import_renders_another_prefix_and_reports_failures(tmp_path):
    result = _run_import(tmp_path, '{"success":true}', PEACEWATCH_PREFIX="pw2")
    assert result.returncode == 0, result.stderr
    uploaded = _load((tmp_path / "uploaded.ndjson").read_text())
    assert {o["attributes"]["title"] for o in uploaded if o["type"] == "index-pattern"} == {f"pw2-{i}" for i in INDICES}
    failed = _run_import(tmp_path, '{"success":false,"errors":[{"id":"x","error":{"type":"conflict"}}]}')
    assert failed.returncode != 0
    assert "conflict" in failed.stderr
