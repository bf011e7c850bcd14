"""Commands ``services``, ``setup`` and ``doctor``: running and checking the project's services."""

from __future__ import annotations

import argparse
import shlex

from peacewatch.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    services = subparsers.add_parser(
        "services",
        help="start, stop and inspect the local Elasticsearch, Pub/Sub emulator and Flink cluster",
        description="Manage the local services. 'up' fetches and starts what is missing (a second 'up' "
        "does nothing), 'down' stops what peacewatch started, 'status' reports health, "
        "'env' prints the export lines a shell needs: eval \"$(peacewatch services env)\". "
        "'up flink' starts the local Flink session cluster instead (JobManager, TaskManagers, "
        "Beam job server, Python worker pool; see deploy/README.md); 'down flink' and "
        "'status flink' act on it alone, plain 'down' stops it too.",
    )
    services.add_argument(
        "action",
        choices=["up", "down", "status", "env"],
        help="up: fetch and start; down: stop what peacewatch started; status: what runs, "
        "what is external, what is stopped; env: export lines for a shell",
    )
    services.add_argument("target", nargs="?", choices=["flink"], help="'flink': the local Flink session cluster only")
    services.add_argument(
        "--only",
        choices=["elasticsearch", "pubsub", "prism"],
        help="act on one service only (prism: build the local streaming runner)",
    )
    services.set_defaults(func=run_services)

    setup = subparsers.add_parser(
        "setup",
        help="create topics, subscriptions, index templates and aliases (idempotent)",
        description="Create whatever is missing: the articles, alerts and deadletter topics and their "
        "subscriptions, and the Elasticsearch index templates and aliases from schemas/. "
        "Running it twice changes nothing.",
    )
    setup.add_argument("--skip-pubsub", action="store_true", help="only set up Elasticsearch")
    setup.add_argument("--skip-elasticsearch", action="store_true", help="only set up Pub/Sub")
    setup.set_defaults(func=run_setup)

    doctor = subparsers.add_parser(
        "doctor",
        help="check every dependency and say what to do about what is missing",
        description="Checks Python packages, the spaCy model, Java, the services, Prism "
        "and Flink, and prints for each problem the command that fixes it.",
    )
    doctor.set_defaults(func=run_doctor)


def run_services(args: argparse.Namespace) -> int:
    from deploy import services
    from peacewatch.settings import load_settings

    settings = load_settings()
    if args.target == "flink" and args.action != "env":
        return _run_flink(settings, args)
    if args.action == "up":
        for line in services.up(settings, args.only):
            print(line)
        print('Next: eval "$(peacewatch services env)" && peacewatch setup')
        return 0
    if args.action == "down":
        if args.only is None:
            from deploy.flink import cluster

            if cluster.running(settings):
                for line in cluster.down(settings):
                    print(line)
        for line in services.down(settings, args.only):
            print(line)
        return 0
    if args.action == "env":
        env = settings.env_exports()
        env["PUBSUB_EMULATOR_HOST"] = (
            services.emulator_host(settings)
            if (settings.pubsub_emulator_host or services.pubsub_running(settings))
            else env.get("PUBSUB_EMULATOR_HOST", "")
        )
        for key, value in env.items():
            if value:
                print(f"export {key}={shlex.quote(value)}")
        return 0
    items = services.status(settings)
    from deploy.flink import cluster

    if cluster.running(settings):
        items += cluster.status(settings)
    return _print_status(items)


def _print_status(items) -> int:
    healthy = True
    for item in items:
        mark = "ok  " if item.healthy else "DOWN"
        print(f"{mark} {item.name:18s} {item.detail} ({item.origin})")
        healthy &= item.healthy
    return 0 if healthy else 1


def _run_flink(settings, args: argparse.Namespace) -> int:
    from deploy.flink import cluster

    if args.only:
        raise UserError("--only is for Elasticsearch and the Pub/Sub emulator, not with 'flink'")
    if args.action == "up":
        for line in cluster.up(settings):
            print(line)
        return 0
    if args.action == "down":
        for line in cluster.down(settings):
            print(line)
        return 0
    return _print_status(cluster.status(settings))


def _require_reachable(settings, elasticsearch: bool, pubsub: bool) -> None:
    from deploy import services

    if elasticsearch and settings.uses_local_elasticsearch and not services.es_running(settings):
        raise UserError(
            f"Elasticsearch does not answer at {settings.es_url_safe}",
            "run 'peacewatch services up' (or set PEACEWATCH_ES_URL)",
        )
    if pubsub and settings.pubsub_emulator_host and not services.pubsub_running(settings):
        raise UserError(
            f"the Pub/Sub emulator does not answer at {settings.pubsub_emulator_host}",
            "run 'peacewatch services up' (or fix PUBSUB_EMULATOR_HOST)",
        )


def run_setup(args: argparse.Namespace) -> int:
    from deploy.provision import provision
    from peacewatch.settings import load_settings

    settings = load_settings()
    _require_reachable(settings, not args.skip_elasticsearch, not args.skip_pubsub)
    changes = provision(settings, elasticsearch=not args.skip_elasticsearch, pubsub=not args.skip_pubsub)
    for line in changes:
        print(line)
    if not changes:
        print("everything already set up; nothing changed")
    return 0


def run_doctor(args: argparse.Namespace) -> int:
    from deploy.doctor import checks

    problems = 0
    for check in checks():
        print(f"{'ok  ' if check.ok else 'FAIL'} {check.name:22s} {check.detail}")
        if not check.ok:
            problems += 1
            if check.fix:
                print(f"     -> {check.fix}")
    print("all good" if not problems else f"{problems} problem(s)")
    return 0 if not problems else 1
