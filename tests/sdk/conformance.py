#!/usr/bin/env python3
"""verifyd <-> didit-sdk 0.4.0 end-to-end conformance run.

Usage:  conformance.py /path/to/verifyd [--keep]

Starts a real `verifyd serve` on a temporary data dir and an ephemeral port, creates a
sandbox application (`verifyd apps create`) and a workflow (raw httpx), then drives the
server through the Python client `didit-sdk==0.4.0` (and raw httpx for the routes the SDK
does not cover). Every response the SDK touches is parsed by the SDK's own pydantic models.

Prints one line per check (`ok <name>` / `FAIL <name>: <why>`) and finally exactly
`N passed, M failed`. Exit status 0 only when M == 0 (2 when the run could not start).

Needs only the standard library plus didit-sdk (which brings httpx and pydantic).
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

try:
    import httpx

    import didit
    from didit import (
        Didit,
        DiditAPIError,
        DiditNotFoundError,
        DiditPermissionError,
    )
    from didit.models.decision import DecisionResponse
    from didit.models.session import ObservedSessionState, SessionListPage, SessionResponse
    from didit.simulation import SUPPORTED_SANDBOX_SCENARIOS, SimulatedDidit
except ImportError as exc:  # pragma: no cover - environment problem, not a conformance failure
    print(f"FAIL import didit-sdk: {exc} (pip install didit-sdk==0.4.0)")
    print("0 passed, 1 failed")
    sys.exit(2)

SDK_VERSION = "0.4.0"
STARTUP_TIMEOUT = 60.0
POLL_TIMEOUT = 15.0

# Decision keys the SDK types as lists (a null there breaks DecisionResponse), plus the
# contract's other feature arrays (contract §2.1: `[]`, never `null`).
DECISION_ARRAYS = (
    "id_verifications", "liveness_checks", "face_matches", "aml_screenings",
    "nfc_verifications", "phone_verifications", "email_verifications", "poa_verifications",
    "database_validations", "ip_analyses", "reviews", "warnings",
    "questionnaire_responses", "document_ai_documents",
)


# --------------------------------------------------------------------------- reporting

class Check(Exception):
    """A failed expectation; the message is printed after `FAIL <name>:`."""


class NotImplementedYet(Check):
    """The server answers 404 for a route the contract requires (reported as FAIL)."""


def expect(cond: Any, message: str) -> None:
    if not cond:
        raise Check(message)


def expect_eq(actual: Any, expected: Any, what: str) -> None:
    if actual != expected:
        raise Check(f"{what}: expected {expected!r}, got {actual!r}")


def expect_raises(exc_type: type[BaseException], fn: Callable[[], Any], what: str) -> BaseException:
    try:
        result = fn()
    except exc_type as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - we report whatever came instead
        raise Check(f"{what}: expected {exc_type.__name__}, got {describe(exc)}") from exc
    raise Check(f"{what}: expected {exc_type.__name__}, got success ({short(result)})")


def describe(exc: BaseException) -> str:
    parts = [type(exc).__name__]
    status = getattr(exc, "status_code", None)
    if status is not None:
        parts.append(f"status={status}")
    parts.append(str(exc)[:300])
    return " ".join(parts)


def short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


class Runner:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, name: str, fn: Callable[[], Any]) -> Any:
        """Runs one check; returns fn's result, or None when it failed."""
        try:
            result = fn()
        except NotImplementedYet as exc:
            self._fail(name, f"not implemented: {exc}")
            return None
        except Check as exc:
            self._fail(name, str(exc))
            return None
        except Exception as exc:  # noqa: BLE001 - any crash is a failed check, not a crashed run
            tb = traceback.format_exc(limit=3).strip().splitlines()
            self._fail(name, f"{describe(exc)} [{tb[-3] if len(tb) >= 3 else ''}]".strip())
            return None
        self.passed += 1
        print(f"ok {name}", flush=True)
        return result

    def _fail(self, name: str, why: str) -> None:
        self.failed += 1
        why = " ".join(why.split())
        print(f"FAIL {name}: {why}", flush=True)

    def summary(self) -> int:
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        return 0 if self.failed == 0 else 1


# --------------------------------------------------------------------------- server

def server_env() -> dict[str, str]:
    """The environment for verifyd: ours without the test harness's own VERIFYD_PYTHON (the
    server reads every VERIFYD_* variable as configuration and rejects unknown keys)."""
    env = dict(os.environ)
    env.pop("VERIFYD_PYTHON", None)
    return env


class Server:
    """A `verifyd serve` child process on a temporary data dir."""

    def __init__(self, binary: str, data_dir: str) -> None:
        self.binary = binary
        self.data_dir = data_dir
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.log_path = os.path.join(data_dir, "server.log")
        self._log = None

    def create_app(self, name: str) -> dict[str, Any]:
        out = subprocess.run(
            [self.binary, "apps", "create", "--data-dir", self.data_dir, "--name", name,
             "--environment", "sandbox"],
            capture_output=True, text=True, timeout=120, check=False, env=server_env(),
        )
        if out.returncode != 0:
            raise RuntimeError(f"apps create exited {out.returncode}: {out.stderr.strip()[:1500]}")
        # The JSON document is the last non-empty stdout line (logs go to stderr).
        for line in reversed(out.stdout.strip().splitlines()):
            line = line.strip()
            if line.startswith("{"):
                return json.loads(line)
        # Pretty-printed fallback.
        return json.loads(out.stdout)

    def start(self) -> None:
        self._log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--data-dir", self.data_dir, "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL, text=True,
            env=server_env(),
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        pattern = re.compile(r"verifyd listening on (http://\S+)")
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"no 'verifyd listening on' line within {STARTUP_TIMEOUT}s")
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError(f"server exited early (code {self.proc.wait()})")
            match = pattern.search(line)
            if match:
                self.url = match.group(1).rstrip("/")
                return

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log:
            self._log.close()

    def log_tail(self, n: int = 15) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as fh:
                return re.sub(r"\x1b\[[0-9;]*m", "", "".join(fh.readlines()[-n:]))
        except OSError:
            return ""


# --------------------------------------------------------------------------- helpers

def expected_warning_codes() -> dict[str, str | None]:
    """The warning code the SDK's own simulator fabricates for each sandbox slug."""
    sim = SimulatedDidit()
    codes: dict[str, str | None] = {}
    for slug in sorted(SUPPORTED_SANDBOX_SCENARIOS):
        session = sim.sessions.create(workflow_id="wf-sim", sandbox_scenario=slug)
        decision = sim.sessions.get_decision(session.session_id)
        found = decision.warning_codes
        codes[slug] = found[0] if found else None
    return codes


def expected_status(slug: str) -> str:
    if slug == "approve":
        return "Approved"
    if slug.startswith("review_"):
        return "In Review"
    return "Declined"


def status_str(value: Any) -> str:
    return getattr(value, "value", value)


def check_decision_arrays(decision: DecisionResponse) -> None:
    raw = decision.raw_data or {}
    for key in DECISION_ARRAYS:
        expect(key in raw, f"decision lacks {key!r}")
        expect(isinstance(raw[key], list), f"decision {key!r} is {type(raw[key]).__name__}, not a list")


class DictSource:
    """A SessionStateSource over a dict of ObservedSessionState."""

    def __init__(self, states: dict[str, ObservedSessionState]) -> None:
        self.states = states

    def get(self, session_id: str) -> ObservedSessionState | None:
        return self.states.get(session_id)


# --------------------------------------------------------------------------- the run

def run(binary: str, keep: bool) -> int:
    runner = Runner()
    installed = getattr(didit, "__version__", "?")
    if installed != SDK_VERSION:
        print(f"note: didit-sdk {installed} installed; this script targets {SDK_VERSION}", flush=True)

    data_dir = tempfile.mkdtemp(prefix="verifyd-sdk-")
    server = Server(binary, data_dir)
    try:
        creds = server.create_app("sdk-conformance")
        server.start()
    except Exception as exc:  # noqa: BLE001
        runner._fail("server start", f"{exc}\n{server.log_tail()}")
        server.stop()
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        runner.summary()
        return 2
    print(f"note: server {server.url}, data dir {data_dir}", flush=True)

    try:
        body(runner, server, creds)
    finally:
        server.stop()
        if runner.failed:
            tail = server.log_tail()
            if tail:
                print("note: server log tail:\n" + "\n".join("  | " + l for l in tail.splitlines()), flush=True)
        if keep:
            print(f"note: kept {data_dir}", flush=True)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return runner.summary()


def body(runner: Runner, server: Server, creds: dict[str, Any]) -> None:
    key = creds["api_key"]
    base = f"{server.url}/v3"
    raw = httpx.Client(base_url=server.url, headers={"x-api-key": key}, timeout=30.0,
                       follow_redirects=False)
    client = Didit(api_key=key, base_url=base, max_retries=0)
    bad_client = Didit(api_key="not-a-real-key-0000", base_url=base, max_retries=0)
    check = runner.check

    # ---- health
    def health_sdk() -> None:
        health = client.healthcheck()
        expect(health.is_healthy, f"healthcheck not healthy: {short(health)}")

    def health_raw() -> None:
        for path in ("/system/healthcheck/", "/system/healthcheck"):
            resp = httpx.get(server.url + path, timeout=10, follow_redirects=False)
            expect_eq(resp.status_code, 200, f"GET {path} status")
            expect_eq(str(resp.json().get("status", "")).lower(), "ok", f"GET {path} body.status")

    check("healthcheck (sdk)", health_sdk)
    check("healthcheck raw GET /system/healthcheck/ (no redirect)", health_raw)

    # ---- workflow (raw; the SDK has no workflow API)
    def make_workflow() -> str:
        resp = raw.post("/v3/workflows/", json={
            "workflow_label": "KYC", "workflow_type": "kyc", "is_aml_enabled": True,
            "is_liveness_enabled": True, "is_face_match_enabled": True,
        })
        expect(resp.status_code in (200, 201), f"POST /v3/workflows/ -> {resp.status_code} {resp.text[:300]}")
        doc = resp.json()
        wf = doc.get("workflow_id") or doc.get("uuid")
        expect(isinstance(wf, str) and wf, f"no workflow_id/uuid in {short(doc)}")
        return wf

    wf = check("create workflow (raw POST /v3/workflows/)", make_workflow)
    if not wf:
        return

    # ---- auth
    def bad_key() -> None:
        exc = expect_raises(DiditPermissionError, lambda: bad_client.sessions.get_decision(str(uuid.uuid4())),
                            "get_decision with a bad key")
        expect_eq(getattr(exc, "status_code", None), 403, "status_code")

    def no_key() -> None:
        resp = httpx.get(f"{base}/session/{uuid.uuid4()}/decision/", timeout=10)
        expect_eq(resp.status_code, 403, "GET decision without x-api-key")

    check("bad api key -> DiditPermissionError (403)", bad_key)
    check("missing api key -> 403 (raw)", no_key)

    # ---- create / idempotent create / get / decision
    def create_first() -> SessionResponse:
        s = client.sessions.create(workflow_id=wf, vendor_data="conf-1", metadata={"a": 1},
                                   callback="https://example.com/cb")
        expect_eq(status_str(s.status), "Not Started", "status")
        expect(s.url, "no url")
        expect(s.session_token, "no session_token")
        expect_eq(s.workflow_id, wf, "workflow_id")
        expect_eq(s.vendor_data, "conf-1", "vendor_data")
        expect_eq(s.metadata, {"a": 1}, "metadata")
        uuid.UUID(s.session_id)
        return s

    first = check("sessions.create (Not Started, url, token)", create_first)

    def create_again() -> None:
        assert first is not None
        s = client.sessions.create(workflow_id=wf, vendor_data="conf-1", metadata={"b": 2})
        expect_eq(s.session_id, first.session_id, "session_id of the repeat")
        expect_eq(s.metadata, {"b": 2}, "metadata of the repeat (replaced)")
        expect_eq(status_str(s.status), "Not Started", "status of the repeat")

    def get_session() -> None:
        assert first is not None
        s = client.sessions.get(first.session_id)
        expect_eq(s.session_id, first.session_id, "session_id")
        expect_eq(status_str(s.status), "Not Started", "status")
        expect_eq(s.metadata, {"b": 2}, "metadata after the idempotent repeat")
        expect_eq(s.vendor_data, "conf-1", "vendor_data")

    def decision_fresh() -> None:
        assert first is not None
        d = client.sessions.get_decision(first.session_id)
        expect_eq(d.session_id, first.session_id, "session_id")
        expect_eq(status_str(d.status), "Not Started", "status")
        check_decision_arrays(d)
        for key in DECISION_ARRAYS:
            if key != "reviews":
                expect_eq((d.raw_data or {})[key], [], f"{key} of a fresh session")

    def decision_unknown() -> None:
        exc = expect_raises(DiditNotFoundError, lambda: client.sessions.get_decision(str(uuid.uuid4())),
                            "get_decision(random uuid)")
        expect_eq(getattr(exc, "status_code", None), 404, "status_code")

    def reconcile_unknown() -> None:
        report = client.sessions.reconcile(str(uuid.uuid4()))
        expect(report.remote_missing, f"remote_missing false: {short(report)}")

    if first:
        check("sessions.create idempotent repeat (same id, metadata replaced)", create_again)
        check("sessions.get", get_session)
        check("sessions.get_decision fresh (every array a list, empty)", decision_fresh)
    check("get_decision(random uuid) -> DiditNotFoundError", decision_unknown)
    check("reconcile(random uuid) -> remote_missing", reconcile_unknown)

    # ---- list / reconcile_range
    second = check("sessions.create second session (conf-2)",
                   lambda: client.sessions.create(workflow_id=wf, vendor_data="conf-2"))

    def list_vendor() -> None:
        assert first is not None
        page = client.sessions.list(vendor_data="conf-1", limit=1)
        expect_eq(page.count, 1, "count for vendor_data=conf-1")
        expect_eq(len(page.results), 1, "len(results)")
        expect_eq(page.results[0].session_id, first.session_id, "results[0].session_id")
        expect_eq(status_str(page.results[0].status), "Not Started", "results[0].status")
        expect(page.next is None, f"next must be null when everything fits: {page.next!r}")
        expect(page.previous is None, f"previous must be null on the first page: {page.previous!r}")

    def list_paging() -> None:
        page = client.sessions.list(limit=1)
        expect(page.count >= 2, f"count {page.count} < 2")
        expect_eq(len(page.results), 1, "len(results) with limit=1")
        expect(page.next is not None, "next is null although count > limit")
        expect(page.previous is None, f"previous on offset 0: {page.previous!r}")
        expect("offset=1" in page.next and "limit=1" in page.next, f"next lacks limit/offset: {page.next}")
        page2 = client.sessions.list(limit=1, offset=1)
        expect_eq(len(page2.results), 1, "len(results) at offset 1")
        expect(page2.previous is not None, "previous is null at offset 1")
        expect(page2.results[0].session_id != page.results[0].session_id, "offset 1 repeats offset 0")
        last = client.sessions.list(limit=1, offset=page.count - 1)
        expect(last.next is None, f"next on the last page: {last.next!r}")
        beyond = client.sessions.list(limit=1, offset=page.count)
        expect_eq(len(beyond.results), 0, "results past the end")
        expect(beyond.next is None, f"next past the end: {beyond.next!r}")

    def list_newest_first() -> None:
        assert first is not None and second is not None
        page = client.sessions.list(limit=100)
        ids = [r.session_id for r in page.results]
        expect(second.session_id in ids and first.session_id in ids, "created sessions missing from list")
        expect(ids.index(second.session_id) < ids.index(first.session_id), "list is not newest first")

    def reconcile_window() -> None:
        assert first is not None
        now = datetime.now(timezone.utc)
        total = client.sessions.list(limit=1).count
        states = {first.session_id: ObservedSessionState(session_id=first.session_id, status="Not Started")}
        report = client.sessions.reconcile_range(source=DictSource(states), date_from=now - timedelta(hours=1),
                                                 date_to=now + timedelta(hours=1), page_size=1)
        expect_eq(report.total_evaluated, total, "total_evaluated")
        expect_eq(report.remote_count, total, "remote_count")
        expect_eq(report.missing_remote_count, 0, "missing_remote_count")
        expect_eq(report.missing_local_count, total - 1, "missing_local_count")
        mine = [r for r in report.reports if r.session_id == first.session_id]
        expect(len(mine) == 1 and not mine[0].status_drift, f"drift on conf-1: {short(mine)}")
        empty = client.sessions.reconcile_range(source=DictSource({}), date_from=now - timedelta(days=3),
                                                date_to=now - timedelta(days=2))
        expect_eq(empty.total_evaluated, 0, "sessions in a window two days ago")
        # The SDK only sends tz-aware datetimes; the contract's YYYY-MM-DD form goes raw.
        today = now.strftime("%Y-%m-%d")
        resp = raw.get("/v3/sessions/", params={"date_from": today, "date_to": today, "limit": 1})
        expect_eq(resp.status_code, 200, f"GET /v3/sessions/?date_from={today}&date_to={today}")
        day = SessionListPage.model_validate(resp.json())
        expect_eq(day.count, total, "count with YYYY-MM-DD date_from/date_to = today")

    if first and second:
        check("sessions.list vendor_data filter, limit=1 (count/next/results)", list_vendor)
        check("sessions.list paging consistency (next/previous/offset)", list_paging)
        check("sessions.list newest first", list_newest_first)
        check("sessions.reconcile_range over a date window", reconcile_window)

    # ---- sandbox scenarios
    try:
        codes = expected_warning_codes()
    except Exception as exc:  # noqa: BLE001
        runner._fail("read warning codes from didit.simulation", describe(exc))
        codes = {}
    scenario_sessions: dict[str, str] = {}
    for slug in sorted(SUPPORTED_SANDBOX_SCENARIOS):
        def scenario(slug: str = slug) -> None:
            s = client.sessions.create(workflow_id=wf, vendor_data=f"scenario-{slug}", sandbox_scenario=slug)
            scenario_sessions[slug] = s.session_id
            d = client.sessions.poll_decision(s.session_id, timeout=POLL_TIMEOUT, interval=0.2, max_interval=1.0)
            want = expected_status(slug)
            expect_eq(status_str(d.status), want, "decision status")
            check_decision_arrays(d)
            code = codes.get(slug)
            if slug == "approve":
                expect(not d.warning_codes, f"approve has warnings {d.warning_codes}")
            elif code is None:
                raise Check("no warning code known from didit.simulation for this slug")
            else:
                expect(d.has_warning(code), f"decision.has_warning({code!r}) is False; warning_codes={d.warning_codes}")
            g = client.sessions.get(s.session_id)
            expect_eq(status_str(g.status), want, "sessions.get status")
        label = f"sandbox {slug} -> {expected_status(slug)}" + (f" + {codes[slug]}" if codes.get(slug) else "")
        check(label, scenario)

    # ---- update-status
    in_review = scenario_sessions.get("review_aml_possible_match")
    declined = scenario_sessions.get("decline_document_expired")

    def approve_in_review() -> None:
        assert in_review
        r = client.sessions.update_status(in_review, "Approved", comment="looks fine")
        expect_eq(r.session_id, in_review, "response session_id")
        d = client.sessions.get_decision(in_review)
        expect_eq(status_str(d.status), "Approved", "status after Approved")
        reviews = (d.raw_data or {}).get("reviews") or []
        expect(any(isinstance(rv, dict) and rv.get("new_status") == "Approved" for rv in reviews),
               f"no review item with new_status Approved in {short(reviews)}")

    def approve_again() -> None:
        assert in_review
        r = client.sessions.update_status(in_review, "Approved")
        expect_eq(r.session_id, in_review, "response session_id")
        expect_eq(status_str(client.sessions.get_decision(in_review).status), "Approved", "status")

    def in_review_rejected_raw() -> None:
        assert in_review
        resp = raw.patch(f"/v3/session/{in_review}/update-status/", json={"new_status": "In Review"})
        expect_eq(resp.status_code, 400, f"PATCH new_status=In Review ({resp.text[:200]})")

    def resubmit() -> None:
        assert declined
        nodes = [{"node_id": "feature_ocr", "feature": "OCR"}]
        r = client.sessions.update_status(declined, "Resubmitted", nodes_to_resubmit=nodes, comment="retake")
        expect_eq(r.session_id, declined, "response session_id")
        d = client.sessions.get_decision(declined)
        expect_eq(status_str(d.status), "Resubmitted", "status")
        expect(d.resubmit_info is not None, "resubmit_info missing")
        expect("feature_ocr" in (d.resubmit_info.nodes or []), f"resubmit_info.nodes {short(d.resubmit_info)}")
        expect(d.requires_resubmission, "requires_resubmission false")

    def resubmit_again() -> None:
        assert declined
        nodes = [{"node_id": "feature_ocr", "feature": "OCR"}]
        exc = expect_raises(DiditAPIError, lambda: client.sessions.update_status(
            declined, "Resubmitted", nodes_to_resubmit=nodes), "second Resubmitted")
        expect_eq(getattr(exc, "status_code", None), 400, "status_code")

    def illegal_transition() -> None:
        fresh = client.sessions.create(workflow_id=wf, vendor_data="conf-illegal")
        exc = expect_raises(DiditAPIError, lambda: client.sessions.update_status(fresh.session_id, "Approved"),
                            "Not Started -> Approved")
        expect_eq(getattr(exc, "status_code", None), 400, "status_code")
        expect_eq(status_str(client.sessions.get(fresh.session_id).status), "Not Started", "status unchanged")

    def update_unknown() -> None:
        exc = expect_raises(DiditNotFoundError, lambda: client.sessions.update_status(str(uuid.uuid4()), "Approved"),
                            "update_status(random uuid)")
        expect_eq(getattr(exc, "status_code", None), 404, "status_code")

    if in_review:
        check("update_status Approved on In Review -> 200, Approved", approve_in_review)
        check("update_status Approved again -> 200 no-op", approve_again)
        check("update-status new_status=In Review -> 400 (raw)", in_review_rejected_raw)
    if declined:
        check("update_status Resubmitted with node objects -> Resubmitted + resubmit_info", resubmit)
        check("update_status Resubmitted again -> 400 DiditAPIError", resubmit_again)
    check("update_status Not Started -> Approved -> 400 DiditAPIError", illegal_transition)
    check("update_status(random uuid) -> DiditNotFoundError", update_unknown)

    # ---- PDF
    approved = scenario_sessions.get("approve")

    def pdf() -> None:
        assert approved
        try:
            data = client.sessions.generate_pdf_report(approved)
        except DiditNotFoundError as exc:
            raise NotImplementedYet(f"PDF: not implemented (GET /v3/session/{{id}}/generate-pdf/ -> 404: {exc})") from exc
        expect(data.startswith(b"%PDF-"), f"body starts {data[:16]!r}")
        for path in (f"/v3/session/{approved}/generate-pdf", f"/v3/session/{approved}/generate-pdf/"):
            resp = raw.get(path)
            expect_eq(resp.status_code, 200, f"GET {path}")
            expect(resp.content.startswith(b"%PDF-"), f"GET {path} is not a PDF")

    def pdf_unknown() -> None:
        expect_raises(DiditNotFoundError, lambda: client.sessions.generate_pdf_report(str(uuid.uuid4())),
                      "generate_pdf_report(random uuid)")

    if approved:
        check("generate_pdf_report (starts with %PDF-)", pdf)
        check("generate_pdf_report(random uuid) -> DiditNotFoundError", pdf_unknown)

    # ---- delete endpoints (raw; the SDK does not cover them)
    def delete_one() -> None:
        s = client.sessions.create(workflow_id=wf, vendor_data="conf-delete-1")
        resp = raw.delete(f"/v3/session/{s.session_id}/delete/")
        expect_eq(resp.status_code, 204, f"DELETE …/delete/ status ({resp.text[:200]})")
        expect_raises(DiditNotFoundError, lambda: client.sessions.get_decision(s.session_id), "decision after delete")
        expect_raises(DiditNotFoundError, lambda: client.sessions.get(s.session_id), "get after delete")
        again = raw.delete(f"/v3/session/{s.session_id}/delete/")
        expect_eq(again.status_code, 404, "second DELETE")
        report = client.sessions.reconcile(s.session_id)
        expect(report.remote_missing, "reconcile after delete: remote_missing false")
        page = client.sessions.list(vendor_data="conf-delete-1")
        expect_eq(page.count, 0, "list count after delete")

    def delete_one_bad_key() -> None:
        s = client.sessions.create(workflow_id=wf, vendor_data="conf-delete-auth")
        resp = httpx.delete(f"{base}/session/{s.session_id}/delete/", headers={"x-api-key": "nope"}, timeout=10)
        expect_eq(resp.status_code, 403, "DELETE with a bad key")
        client.sessions.get(s.session_id)

    def delete_batch() -> None:
        a = client.sessions.create(workflow_id=wf, vendor_data="conf-delete-2")
        b = client.sessions.create(workflow_id=wf, vendor_data="conf-delete-3")
        numbers = []
        for s in (a, b):
            n = (client.sessions.get_decision(s.session_id).raw_data or {}).get("session_number")
            expect(isinstance(n, int), f"decision session_number {n!r}")
            numbers.append(n)
        resp = raw.post("/v3/sessions/delete/", json={"session_numbers": [str(numbers[0]), numbers[1], 999999]})
        expect_eq(resp.status_code, 200, f"POST /v3/sessions/delete/ status ({resp.text[:200]})")
        results = resp.json().get("results")
        expect(isinstance(results, list), f"results not a list: {resp.text[:200]}")
        got = sorted(r.get("session_id") for r in results)
        expect_eq(got, sorted([a.session_id, b.session_id]), "deleted session ids (unknown number skipped)")
        for r in results:
            expect(isinstance(r.get("session_number"), int), f"session_number in {r}")
            expect("face_retention_outcome" in r, f"face_retention_outcome missing in {r}")
        for s in (a, b):
            expect_raises(DiditNotFoundError, lambda s=s: client.sessions.get_decision(s.session_id),
                          "decision after batch delete")
        again = raw.post("/v3/sessions/delete/", json={"session_numbers": numbers})
        expect_eq(again.status_code, 200, "repeat batch delete (idempotent)")
        expect_eq(again.json().get("results"), [], "repeat batch delete results")

    def delete_batch_invalid() -> None:
        for payload, field in (({"session_numbers": []}, "session_numbers"), ({}, "session_numbers"),
                               ({"session_numbers": ["abc"]}, "session_numbers")):
            resp = raw.post("/v3/sessions/delete/", json=payload)
            expect_eq(resp.status_code, 400, f"POST /v3/sessions/delete/ {payload}")
            expect(field in resp.json(), f"error body for {payload} lacks {field!r}: {resp.text[:200]}")

    check("DELETE /v3/session/{id}/delete/ -> 204, then 404", delete_one)
    check("DELETE /v3/session/{id}/delete/ bad key -> 403", delete_one_bad_key)
    check("POST /v3/sessions/delete/ by numbers -> 200 results", delete_batch)
    check("POST /v3/sessions/delete/ invalid bodies -> 400", delete_batch_invalid)

    # ---- every list row parses; final sanity over all sessions the run made
    def list_all_parses() -> None:
        page = client.sessions.list(limit=100)
        expect_eq(page.count, len(page.results), "count vs results with limit=100")
        for item in page.results:
            expect(item.session_id, "row without session_id")
            d = client.sessions.get_decision(item.session_id)
            expect_eq(status_str(d.status), status_str(item.status), f"list vs decision status of {item.session_id}")

    check("sessions.list rows agree with decisions", list_all_parses)

    if hasattr(client, "close"):
        client.close()
    raw.close()


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("--")]
    keep = "--keep" in argv[1:]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    binary = os.path.abspath(args[0])
    if not os.access(binary, os.X_OK):
        print(f"FAIL verifyd binary: {binary} is not executable")
        print("0 passed, 1 failed")
        return 2
    return run(binary, keep)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
