"""The `python-eql` benchmark contender (bench/run.ts): the `eql` package from PyPI (endgameinc/eql, the
library elastic/detection-rules validates EQL with) over the bench workload.

    pyeql_runner.py parse QUERIES.json [EVENTS.ndjson]
        Which queries the library can run: parsed in its Elasticsearch-syntax mode (as detection-rules
        does: `elasticsearch_syntax` + `ignore_missing_functions`; samples and `runs=` allowed), loaded into a PythonEngine, and, when
        EVENTS is given, run without error over its first 500 events. Not timed.
        Prints {"ok": [id…], "failed": {id: reason}}.
    pyeql_runner.py run QUERIES.json EVENTS.ndjson
        The timed run: every query in one PythonEngine; each line is JSON-parsed once, turned into an
        eql Event and streamed through the engine. Prints {"events": N, "queries": Q, "results": {id: n}, "resultEvents": {id: n}, "errors": {id: reason}}
        (results: one per matching event of an event query, one per sequence or sample; a query in
        errors raised on some event and was switched off from then on).

QUERIES.json is a list of {"id": rule_id, "query": text}. The library has no mapping and no ECS: an
event's type is its `event.category` (its first value) and its time `@timestamp` in milliseconds;
one-element arrays are unwrapped to their value (ECS writes `event.type: ["start"]`, which the library
would compare as a list and never match), longer arrays stay lists (the library compares them as a whole,
Elasticsearch matches any value).
"""
import json
import sys
from datetime import datetime

import eql
from eql.ast import EqlAnalytic
from eql.events import Event

PROBE_EVENTS = 500


def parse(text):
    with eql.parser.elasticsearch_syntax, eql.parser.ignore_missing_functions, eql.parser.allow_sample, eql.parser.allow_runs:
        return eql.parse_query(text)


def unwrap(value):
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return unwrap(value[0]) if len(value) == 1 else [unwrap(v) for v in value]
    return value


def to_event(line):
    data = unwrap(json.loads(line))
    ev = data.get("event")
    category = ev.get("category") if isinstance(ev, dict) else None
    if isinstance(category, list):
        category = category[0] if category else None
    millis = 0
    ts = data.get("@timestamp")
    if isinstance(ts, str):
        try:
            millis = int(datetime.fromisoformat(ts).timestamp() * 1000)
        except ValueError:
            millis = 0
    return Event(category if isinstance(category, str) else "generic", millis, data)


def engine_for(analytics, counts, event_counts, errors):
    """One PythonEngine with every analytic. The library isolates nothing: one query that raises (a list
    where it expects a value: `unhashable type: 'list'`) stops the event for every later hook, so each
    query's hooks are wrapped, and a query that raises is recorded in `errors` and switched off."""

    def hook(result):
        counts[result.analytic_id] = counts.get(result.analytic_id, 0) + 1
        event_counts[result.analytic_id] = event_counts.get(result.analytic_id, 0) + len(result.events)

    def guard(f, aid):
        def guarded(event):
            if aid in errors:
                return
            try:
                f(event)
            except Exception as e:  # noqa: BLE001
                errors[aid] = "{}: {}".format(type(e).__name__, e)[:300]

        return guarded

    def hook_lists():
        return [engine._any_event_hooks] + list(engine._event_hooks.values())

    # time in milliseconds: 1,000 ticks per second (maxspan)
    engine = eql.PythonEngine({"time_unit": 1000, "hooks": [hook]})
    with engine:
        for a in analytics:
            before = {id(h) for hooks in hook_lists() for h in hooks}
            engine.add_analytic(a)
            wrapped = {}
            for hooks in hook_lists():
                for i, h in enumerate(hooks):
                    if id(h) not in before:
                        wrapped.setdefault(id(h), guard(h, a.id))
                        hooks[i] = wrapped[id(h)]
    return engine


def events_of(path, limit=None):
    with open(path, "rb") as f:
        for i, line in enumerate(f):
            if limit is not None and i >= limit:
                return
            if line.strip():
                yield to_event(line)


def cmd_parse(queries, events_path):
    ok, failed = [], {}
    probe = list(events_of(events_path, PROBE_EVENTS)) if events_path else []
    for q in queries:
        try:
            analytic = EqlAnalytic(parse(q["query"]), {"id": q["id"]})
            errors = {}
            engine = engine_for([analytic], {}, {}, errors)
            for event in probe:
                engine.stream_event(event)
            engine.finalize()
            if errors:
                failed[q["id"]] = errors[q["id"]]
            else:
                ok.append(q["id"])
        except Exception as e:  # noqa: BLE001 — any failure means "cannot run"
            failed[q["id"]] = "{}: {}".format(type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else "")[:300]
    return {"ok": ok, "failed": failed}


def cmd_run(queries, events_path):
    counts, event_counts, errors = {}, {}, {}
    engine = engine_for([EqlAnalytic(parse(q["query"]), {"id": q["id"]}) for q in queries], counts, event_counts, errors)
    n = 0
    with open(events_path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            n += 1
            engine.stream_event(to_event(line))
    engine.finalize()
    return {"events": n, "queries": len(queries), "results": counts, "resultEvents": event_counts, "errors": errors}


def main(argv):
    if len(argv) < 3 or argv[1] not in ("parse", "run"):
        sys.stderr.write(__doc__)
        return 2
    with open(argv[2], encoding="utf8") as f:
        queries = json.load(f)
    events_path = argv[3] if len(argv) > 3 else None
    if argv[1] == "parse":
        out = cmd_parse(queries, events_path)
    else:
        if events_path is None:
            sys.stderr.write("run needs EVENTS.ndjson\n")
            return 2
        out = cmd_run(queries, events_path)
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
