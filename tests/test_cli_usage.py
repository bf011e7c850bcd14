"""What a new user meets on the command line: each command's help with examples that parse, and
mistakes answered by the command they belong to (its usage, the nearest option), exit code 2."""

from __future__ import annotations

import shlex

import pytest

from peacewatch import cli as peacewatch
from tests.helpers import run_cli, run_python

COMMANDS = [path for path, _ in peacewatch.subcommands(peacewatch.build_parser())]
LEAVES = [path for path in COMMANDS if not any(other[: len(path)] == path and other != path for other in COMMANDS)]


def test_every_command_is_listed():
    assert {" ".join(p) for p in COMMANDS} >= {
        "services",
        "setup",
        "doctor",
        "ingest",
        "replay",
        "run",
        "search",
        "reconcile",
        "analyze",
        "board",
        "missions",
        "alerts",
        "alerts add",
        "alerts test",
        "alerts status",
    }


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help_describes_the_command_and_shows_examples_that_parse(path, capsys):
    with pytest.raises(SystemExit) as done:
        peacewatch.main([*path, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: peacewatch {' '.join(path)}" in out
    body = out.split("\n\n", 2)[1]
    assert body.strip() and not body.startswith(("positional", "options")), f"no description:\n{out}"
    examples = out.split("examples:\n", 1)[1].strip().splitlines()
    assert examples, out
    parser = peacewatch.build_parser()
    for example in examples:
        argv = shlex.split(example.strip())
        if argv[0] == "eval":  # eval "$(peacewatch services env)"
            argv = shlex.split(argv[1][2:-1])
        assert argv[0] == "peacewatch" and argv[1 : len(path) + 1] == list(path), example
        parser.parse_args(argv[1:])  # exits (and fails the test) if an example does not parse


@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
def test_an_unknown_option_is_refused_by_its_own_command_with_the_nearest_one(path, capsys):
    parser = dict(peacewatch.subcommands(peacewatch.build_parser()))[path]
    options = sorted(o for o in parser._option_string_actions if o.startswith("--") and o != "--help")
    wrong = f"{options[0]}x" if options else "--nothing-like-this"
    with pytest.raises(SystemExit) as done:
        peacewatch.main([*path, wrong])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: peacewatch {' '.join(path)}"), err
    assert f"peacewatch {' '.join(path)}: error: unrecognized arguments: {wrong}" in err
    if options:
        assert "(did you mean --" in err, err
    assert "hint: 'peacewatch" in err and "--help' lists the options" in err


def test_a_misspelt_required_option_is_named_before_the_missing_one(capsys):
    with pytest.raises(SystemExit):
        peacewatch.main(["board", "--mision", "ukraine"])
    err = capsys.readouterr().err
    assert "unrecognized arguments: --mision (did you mean --mission?)" in err and "required" not in err


def test_the_example_of_the_issue(capsys):
    with pytest.raises(SystemExit) as done:
        peacewatch.main(["search", "--stances", "support"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: peacewatch search") and "(did you mean --stance?)" in err


@pytest.mark.parametrize(
    "argv,suggestion",
    [
        (["serach"], "did you mean search?"),
        (["alerts", "lst"], "did you mean list?"),
        (["board", "--mission", "ukraine", "--format", "jsn"], "did you mean json?"),
    ],
)
def test_a_misspelt_choice_gets_the_nearest_one(argv, suggestion, capsys):
    with pytest.raises(SystemExit) as done:
        peacewatch.main(argv)
    assert done.value.code == 2 and suggestion in capsys.readouterr().err


def test_a_value_with_spaces_left_unquoted_says_so(capsys):
    with pytest.raises(SystemExit):
        peacewatch.main(["alerts", "add", "my", "rule"])
    assert "unrecognized arguments: rule (quote a value that has spaces)" in capsys.readouterr().err


def test_run_help_shows_peacewatch_options_and_help_beam_the_rest():
    short = run_cli("run", "--help", timeout=120, module="peacewatch")  # the package's __main__
    assert short.returncode == 0
    assert "--input" in short.stdout and "--runner" in short.stdout and "--help-beam" in short.stdout
    assert "  --direct_num_workers DIRECT_NUM_WORKERS" not in short.stdout
    assert "--dataflow_service_options" not in short.stdout
    full = run_cli("run", "--help-beam", timeout=120, module="peacewatch")
    assert full.returncode == 0 and "--dataflow_service_options" in full.stdout
    assert len(short.stdout.splitlines()) * 4 < len(full.stdout.splitlines()), "the short help should be short"
    # hidden from the help, still accepted
    args = peacewatch.build_parser().parse_args(["run", "--input", "x.jsonl", "--direct_num_workers", "2"])
    assert args.direct_num_workers == 2


def test_no_beam_warning_about_extras_that_are_not_installed():
    """Importing Beam logs two warnings about its GCP extras in every process; not when they are absent."""
    import importlib.util

    if importlib.util.find_spec("google.cloud.storage") or importlib.util.find_spec("apitools"):
        pytest.skip("Beam's GCP extras are installed here: their warnings would be real")
    result = run_python("import pipelines.enrich, apache_beam.io.gcp.pubsub")
    assert result.returncode == 0, result.stderr
    assert "GCSFileSystem" not in result.stderr and "apitools" not in result.stderr, result.stderr
    bare = run_python("import apache_beam.io.filesystems")
    assert "Failed to import GCSFileSystem" in bare.stderr, "Beam no longer warns: the filter can go"


def test_the_filter_lets_a_real_import_failure_through():
    import logging

    from pipelines.beam_warnings import _MootWarningFilter

    record = logging.LogRecord(
        "apache_beam.io.filesystems", logging.WARNING, __file__, 1, "Failed to import GCSFileSystem; ...", None, None
    )
    assert _MootWarningFilter("Failed to import GCSFileSystem", "json").filter(record)  # json is installed
    assert not _MootWarningFilter("Failed to import GCSFileSystem", "no_such_module_xyz").filter(record)
    other = logging.LogRecord("apache_beam.io.filesystems", logging.WARNING, __file__, 1, "disk full", None, None)
    assert _MootWarningFilter("Failed to import GCSFileSystem", "no_such_module_xyz").filter(other)


@pytest.mark.parametrize(
    "argv",
    [
        ["alerts", "sync", "/nonexistent/rules.yaml"],
        ["alerts", "add", "x", "--kind", "spike", "--term", "troops", "--spike-min-count", "0"],
        ["search", "--limit", "0"],
    ],
)
def test_every_error_says_what_to_do(argv, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PEACEWATCH_DATA_DIR", str(tmp_path))
    assert peacewatch.main(argv) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith(f"peacewatch {' '.join(argv[:2]) if argv[0] == 'alerts' else argv[0]}: error: ")
    assert len(lines) == 2 and lines[1].startswith("  hint: ") and len(lines[1]) > 12, lines
