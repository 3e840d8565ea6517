#!/usr/bin/env python3
"""Independent oracle for verifyd-webhooks' canonical JSON and signatures.

Standard library only (json, hmac, hashlib) except the optional `sdk` mode. Modes:

  vectors.py generate          print the test vectors (deterministic) to stdout;
                               the committed copy is tests/python/vectors.json:
                                 python3 tests/python/vectors.py generate > tests/python/vectors.json
  vectors.py check FILE        check webhooks signed by Rust (FILE, written by tests/it.rs)
  vectors.py sdk FILE          same webhooks through didit-sdk 0.4.0's own verifier, then print
                               SDK-simulated webhooks for Rust to verify; exit 77 if the SDK is
                               not importable
"""

import hashlib
import hmac
import json
import random
import struct
import sys
import time

SECRET = "whsec_José_🔑_test"


def shorten_floats(value):
    """Didit's shorten_floats: integral floats become ints, bools untouched."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [shorten_floats(v) for v in value]
    if isinstance(value, dict):
        return {k: shorten_floats(v) for k, v in value.items()}
    return value


def canonical(value):
    return json.dumps(
        shorten_floats(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def sign(secret, message):
    if isinstance(message, str):
        message = message.encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def field(value):
    return "" if value is None else value if isinstance(value, str) else canonical(value)


def signed_timestamp(body):
    ts = body.get("timestamp")
    return body.get("created_at") if ts is None else ts


def simple_message(body):
    return "%s:%s:%s:%s" % (
        signed_timestamp(body),
        field(body.get("session_id")),
        field(body.get("status")),
        field(body.get("webhook_type")),
    )


TS = 1_763_900_000

# (name, payload, fits_serde_value): the last flag is False when serde_json::Value cannot hold
# the payload exactly (integers wider than 64 bits), so only Rust's verifier path is compared.
PAYLOADS = [
    (
        "envelope",
        {
            "session_id": "11111111-2222-4333-8444-555555555555",
            "status": "Approved",
            "webhook_type": "status.updated",
            "timestamp": TS,
            "created_at": TS - 7,
            "event_id": "9d4c3d0e-5f1a-4b6e-9c1d-7e2f3a4b5c6d",
            "application_id": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
            "environment": "live",
            "workflow_id": "wf-1",
            "workflow_version": 3,
            "vendor_data": "José/日本-user#42",
            "metadata": {"z": 1, "a": [1, 2.5, "x"], "nested": {"b": None, "a": True}},
            "decision": {
                "session_id": "11111111-2222-4333-8444-555555555555",
                "status": "Approved",
                "id_verifications": [
                    {
                        "node_id": "feature_ocr",
                        "status": "Approved",
                        "first_name": "José",
                        "last_name": "Müller-Ñúñez",
                        "date_of_birth": "1990-01-31",
                        "warnings": [],
                    }
                ],
                "liveness_checks": [{"node_id": "liveness", "score": 95.0, "warnings": []}],
                "face_matches": [{"node_id": "face", "score": 87.25, "similarity": 0.1}],
                "aml_screenings": [],
                "reviews": [],
            },
        },
        True,
    ),
    (
        "unicode",
        {
            "timestamp": TS,
            "session_id": "日本語セッション",
            "status": "In Review",
            "webhook_type": "data.updated",
            "é": "José",
            "e\u0301": "decomposed",
            "日本": {"東京": "渋谷", "大阪": 1},
            "～": "fullwidth tilde (BMP, sorts before astral keys)",
            "😀": "emoji key",
            "Z": "upper",
            "a": "lower",
            "emoji": "👍🏽👨‍👩‍👧 🇯🇵",
            "seps": "line\u2028para\u2029del\u007fslash/",
            "rtl": "مرحبا עברית",
            "nbsp": "a\u00a0b\ufeffc",
        },
        True,
    ),
    (
        "control_characters",
        {
            "timestamp": TS,
            "all": "".join(chr(i) for i in range(0x20)),
            "quotes": 'say "hi" \\ back\\slash',
            "mixed": "tab\there\nnewline\r\n\x0b\x0c\x7f",
            "key\nwith\tcontrol\x01": "v",
        },
        True,
    ),
    (
        "floats",
        {
            "timestamp": TS,
            "f": [
                95.0, 0.1, 1e-05, 1.5e16, 123456.789, -0.0, -1.5, 0.0001, 0.00012, 1e-07,
                1e20, 1e300, 5e-324, 0.30000000000000004, 1e16, 9007199254740993.0,
                -273.15, 2.5e-10, 99.99, 0.5, 1e22, 1e23,
            ],
            "score": 95.0,
            "neg_zero": -0.0,
        },
        True,
    ),
    (
        "integers",
        {
            "timestamp": TS,
            "i": [0, -1, 1, 2**53 + 1, 2**63 - 1, -(2**63), 2**64 - 1, -42],
        },
        True,
    ),
    (
        "wide_integers",
        {"timestamp": TS, "big": 10**30, "neg": -(10**25) - 1, "huge": int("9" * 400)},
        False,
    ),
    (
        "empties_bools_null",
        {
            "timestamp": TS,
            "o": {},
            "a": [],
            "aa": [[], [{}], {"": ""}],
            "": "empty key",
            "t": True,
            "f": False,
            "n": None,
            "bools_stay": [True, False, 1, 0, 1.0],
            "true": "key named true",
        },
        True,
    ),
    (
        "deep_nesting",
        {"timestamp": TS, "d": [[[[[[[[[[{"k": [{"z": 1, "y": {"x": [0.25, None]}}]}]]]]]]]]]]},
        True,
    ),
    (
        "simple_fields_absent",
        {"timestamp": TS, "status": None, "webhook_type": "user.created"},
        True,
    ),
    (
        "created_at_only",
        {"created_at": TS, "session_id": "s", "status": "Declined", "webhook_type": "status.updated"},
        True,
    ),
    (
        "timestamp_null_falls_back",
        {"timestamp": None, "created_at": TS, "session_id": "s", "status": "Abandoned"},
        True,
    ),
]


def float_corpus():
    rng = random.Random(20261123)
    floats = [
        0.1, 0.2, 0.3, 1e-05, 1e-04, 9.999e-05, 1.5e16, 1e16, 9999999999999998.0, 1e15 + 0.5,
        123456.789, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 2.0**53, 2.0**53 + 2,
        1 / 3, 2 / 3, 0.1 + 0.2, 1e21, 1e22, 1e23, -1e-300, 4.35, 0.07, 100.0, 1e-4 * 3,
    ]
    floats += [10.0**e for e in range(-12, 24)]
    floats += [round(rng.uniform(-1000, 1000), rng.randint(0, 6)) for _ in range(500)]
    floats += [rng.uniform(0, 1) * 10.0 ** rng.randint(-30, 30) for _ in range(500)]
    while len(floats) < 2200:
        f = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if f == f and f not in (float("inf"), float("-inf")):
            floats.append(f)
    return [
        [struct.pack(">d", f).hex(), canonical(f)] for f in floats
    ]


def generate():
    cases = []
    for name, payload, fits in PAYLOADS:
        canon = canonical(payload)
        # Bodies as a non-canonical Python sender might write them; V2 must still verify.
        raws = [
            canon,
            json.dumps(payload),  # ensure_ascii=True, ", " / ": ", insertion order
            json.dumps(payload, ensure_ascii=False, indent=2),
        ]
        cases.append(
            {
                "name": name,
                "fits_serde_value": fits,
                "timestamp": signed_timestamp(payload),
                "canonical": canon,
                "v2": sign(SECRET, canon),
                "simple": sign(SECRET, simple_message(payload)),
                "raw": [[raw, sign(SECRET, raw)] for raw in raws],
            }
        )
    out = {"secret": SECRET, "cases": cases, "floats": float_corpus()}
    sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1) + "\n")


def check(path):
    """Check webhooks signed by Rust with the standard library only."""
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    secret = spec["secret"]
    failures = []
    for case in spec["cases"]:
        name, body = case["name"], case["body"].encode("utf-8")
        headers = {k.lower(): v for k, v in case["headers"].items()}
        parsed = json.loads(body)
        expected_payload = json.loads(case["payload"])
        expected_payload["timestamp"] = case["timestamp"]

        def expect(what, ok):
            if not ok:
                failures.append("%s: %s" % (name, what))

        expect("body is canonical", body == canonical(parsed).encode("utf-8"))
        expect("body is the payload", canonical(parsed) == canonical(expected_payload))
        expect("X-Signature", headers["x-signature"] == sign(secret, body))
        expect("X-Signature-V2", headers["x-signature-v2"] == sign(secret, canonical(parsed)))
        expect("X-Signature-Simple", headers["x-signature-simple"] == sign(secret, simple_message(parsed)))
        expect("X-Timestamp", headers["x-timestamp"] == str(parsed["timestamp"]))
        expect("Content-Type", headers["content-type"] == "application/json")
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print("ok %d" % len(spec["cases"]))


def sdk(path):
    """Check Rust-signed webhooks with didit-sdk 0.4.0; emit SDK-signed ones for Rust."""
    try:
        import didit  # noqa: F401
        from didit.simulation import SimulatedDidit
        from didit.webhooks import canonical_json, compute_signature, verify_webhook_signature
    except ImportError:
        sys.exit(77)
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    secret = spec["secret"]
    failures = []
    for case in spec["cases"]:
        name, body, headers = case["name"], case["body"].encode("utf-8"), case["headers"]
        only = lambda *keep: {k: v for k, v in headers.items() if k in keep}  # noqa: E731
        checks = {
            "all headers": verify_webhook_signature(body, headers, secret),
            "V2 only": verify_webhook_signature(body, only("X-Signature-V2", "X-Timestamp"), secret),
            "V1 only": verify_webhook_signature(body, only("X-Signature"), secret),
            "lower-case names": verify_webhook_signature(
                body, {k.lower(): v for k, v in headers.items()}, secret
            ),
            "wrong secret rejected": not verify_webhook_signature(body, headers, secret + "x"),
            "canonical_json": canonical_json(json.loads(body)).encode("utf-8") == body,
            "compute_signature": compute_signature(secret, json.loads(body)) == headers["X-Signature-V2"],
        }
        failures += ["%s: %s" % (name, what) for what, ok in checks.items() if not ok]
    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(1)
    # SDK-signed events (non-canonical body, X-Signature-V2 only) for the Rust verifier.
    sim = SimulatedDidit(webhook_secret=secret)
    events = []
    for vendor in ["sdk-sim", "José 日本 😀"]:
        session = sim.sessions.create(vendor_data=vendor, workflow_id="wf-sdk")
        sim.approve_session(session.session_id)
        raw, hdrs = sim.generate_webhook_event(session.session_id)
        events.append({"body": raw.decode("utf-8"), "headers": hdrs, "now": int(time.time())})
    print(json.dumps({"checked": len(spec["cases"]), "events": events}, ensure_ascii=False))


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "generate"
    if mode == "generate":
        generate()
    elif mode == "check":
        check(sys.argv[2])
    elif mode == "sdk":
        sdk(sys.argv[2])
    else:
        sys.exit("unknown mode %r" % mode)
