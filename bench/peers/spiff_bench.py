"""Peer: the lifecycle on SpiffWorkflow 3 (BPMN), its state saved as JSON in PostgreSQL after every step.

    .venv/bin/python bench/peers/spiff_bench.py --database-url postgres://postgres@127.0.0.1:5432/spiff_bench

(the `bench` extra: `pip install -e ".[bench]"`). The database gets one table, `spiff_instance` (id, status,
assignee, the serialized workflow as jsonb, updated_at), created when missing.

The process is BPMN: submit → accept → review → a parallel split into the lead department's and the two
co-departments' joint-review tasks → parallel join → decide → deliver, every task a userTask. One lifecycle is 13
transactions, as in govhall: `submit` creates the instance (runs the submit task, INSERTs the JSON); each later step
locks the row (SELECT … FOR UPDATE), deserializes the workflow, claims the ready task (records the assignee in the
task's data) or completes it with the opinion, runs the engine to the next wait state, serializes and UPDATEs.

What it does not do, and govhall does: permissions, clocks (no time limits at all), documents, notifications,
materials, an audit chain — it is the floor of a workflow engine that keeps its state in the database.
stdout: one JSON object (lifecycles/s for 1 and 2 processes, statements per lifecycle, JSON bytes per instance).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="govhall-bench">
  <bpmn:process id="lifecycle" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="submit"/>
    <bpmn:userTask id="submit" name="收件"/>
    <bpmn:sequenceFlow id="f2" sourceRef="submit" targetRef="accept"/>
    <bpmn:userTask id="accept" name="受理"/>
    <bpmn:sequenceFlow id="f3" sourceRef="accept" targetRef="review"/>
    <bpmn:userTask id="review" name="审查"/>
    <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="split"/>
    <bpmn:parallelGateway id="split"/>
    <bpmn:sequenceFlow id="f5" sourceRef="split" targetRef="joint_lead"/>
    <bpmn:sequenceFlow id="f6" sourceRef="split" targetRef="joint_co1"/>
    <bpmn:sequenceFlow id="f7" sourceRef="split" targetRef="joint_co2"/>
    <bpmn:userTask id="joint_lead" name="联审（主办）"/>
    <bpmn:userTask id="joint_co1" name="联审（协办一）"/>
    <bpmn:userTask id="joint_co2" name="联审（协办二）"/>
    <bpmn:sequenceFlow id="f8" sourceRef="joint_lead" targetRef="join"/>
    <bpmn:sequenceFlow id="f9" sourceRef="joint_co1" targetRef="join"/>
    <bpmn:sequenceFlow id="f10" sourceRef="joint_co2" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:sequenceFlow id="f11" sourceRef="join" targetRef="decide"/>
    <bpmn:userTask id="decide" name="决定"/>
    <bpmn:sequenceFlow id="f12" sourceRef="decide" targetRef="deliver"/>
    <bpmn:userTask id="deliver" name="送达"/>
    <bpmn:sequenceFlow id="f13" sourceRef="deliver" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

DDL = """CREATE TABLE IF NOT EXISTS spiff_instance (
    id bigserial PRIMARY KEY, status text NOT NULL, assignee text NOT NULL DEFAULT '',
    state jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())"""

# (task to act on, claim first?) after submit: accept; then claim+approve for review, 3 branches, decide; deliver.
STEPS = [("accept", False), ("review", True)] + [(t, True) for t in ("joint_lead", "joint_co1", "joint_co2")]
STEPS += [("decide", True), ("deliver", False)]


class Engine:
    def __init__(self, url: str) -> None:
        import psycopg
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

        parser = BpmnParser()
        parser.add_bpmn_str(BPMN.encode())
        self.spec = parser.get_spec("lifecycle")
        self.serializer = BpmnWorkflowSerializer()
        self.conn = psycopg.connect(url.replace("postgres://", "postgresql://", 1))
        self.counter = common.Counter()
        self.counter.attach(self.conn)
        self.transactions = 0
        self.json_bytes = 0

    def _ready(self, wf: Any, name: str) -> Any:
        from SpiffWorkflow.util.task import TaskState

        for task in wf.get_tasks(state=TaskState.READY, manual=True):
            if task.task_spec.name == name:
                return task
        raise RuntimeError(f"no ready task {name}")

    def _save(self, cur: Any, pk: int, wf: Any, assignee: str) -> None:
        state = self.serializer.serialize_json(wf)
        self.json_bytes = len(state)
        status = "completed" if wf.is_completed() else "running"
        cur.execute(
            "UPDATE spiff_instance SET state = %s, status = %s, assignee = %s, updated_at = now() WHERE id = %s",
            [state, status, assignee, pk],
        )

    def submit(self, i: int) -> int:
        from SpiffWorkflow.bpmn import BpmnWorkflow

        wf = BpmnWorkflow(self.spec)
        wf.do_engine_steps()
        task = self._ready(wf, "submit")
        task.data.update(
            {"applicant": f"容县基准建设工程有限公司{i % 50:02d}", "channel": "window", "by": "clerk"}
        )
        task.run()
        wf.do_engine_steps()
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute(
                "INSERT INTO spiff_instance (status, state) VALUES ('running', %s) RETURNING id",
                [self.serializer.serialize_json(wf)],
            )
            pk = int(cur.fetchone()[0])
        self.transactions += 1
        return pk

    def step(self, pk: int, name: str, claim: bool, who: str) -> None:
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute("SELECT state FROM spiff_instance WHERE id = %s FOR UPDATE", [pk])
            raw = cur.fetchone()[0]
            wf = self.serializer.deserialize_json(raw if isinstance(raw, str) else common.json.dumps(raw))
            task = self._ready(wf, name)
            if claim:
                task.data["assignee"] = who
            else:
                task.data.update({"outcome": "approve", "opinion": "同意", "by": who})
                task.run()
                wf.do_engine_steps()
            self._save(cur, pk, wf, who if claim else "")
        self.transactions += 1

    def lifecycle(self, i: int) -> None:
        pk = self.submit(i)
        for name, claim in STEPS:
            if claim:
                self.step(pk, name, True, f"approver-{name}")
            self.step(pk, name, False, f"user-{name}")


def _make(url: str) -> Any:
    engine = Engine(url)
    return engine.lifecycle


class _Factory:
    """Picklable for the spawned processes."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self) -> Any:
        return _make(self.url)


def main(argv: list[str] | None = None) -> int:
    import SpiffWorkflow

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--lifecycles", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one-process-only", dest="two", action="store_false")
    args = parser.parse_args(argv)
    engine = Engine(args.database_url)
    with engine.conn.transaction():
        engine.conn.execute(DDL)
    engine.lifecycle(0)
    before_stmt, before_tx = engine.counter.count, engine.transactions
    engine.lifecycle(1)
    transactions = engine.transactions - before_tx
    # psycopg sends BEGIN and COMMIT around each transaction() block: counted, as govhall's count includes them.
    statements = engine.counter.count - before_stmt + 2 * transactions
    one = common.rounds(engine.lifecycle, args.lifecycles, args.rounds, offset=100)
    engine.conn.close()
    two = (
        common.two_processes(_Factory(args.database_url), args.lifecycles, args.rounds) if args.two else None
    )
    common.emit(
        {
            "system": "SpiffWorkflow",
            "version": getattr(SpiffWorkflow, "__version__", "3"),
            "transactions_per_lifecycle": transactions,
            "statements_per_lifecycle": statements,
            "json_bytes_per_instance": engine.json_bytes,
            "one_process": one,
            "two_processes": two,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
