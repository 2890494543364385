"""GS1's epcis-event-hash-generator 1.9.3, pinned, as the oracle for Corridor's event hash IDs.

    compat/.venv/bin/python oracle-epcis-hash.py
        each line of standard input a JSON object {"context": [...], "event": {...}}; prints, a
        line each, {"prehash": ..., "eventID": ...} as the reference computes them for an
        EPCISDocument with that @context holding that one event, or {"error": ...} when it
        computes none.
"""
import io
import json
import logging
import sys
from contextlib import redirect_stderr

from epcis_event_hash_generator import hash_generator, json_to_py

logging.disable(logging.CRITICAL)

for line in sys.stdin:
    if not line.strip():
        continue
    case = json.loads(line)
    document = {
        "@context": case["context"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2025-01-01T00:00:00Z",
        "epcisBody": {"eventList": [case["event"]]},
    }
    # The reference keeps the prefixes it has seen in a module global: each case starts afresh.
    json_to_py._namespaces.clear()
    try:
        with redirect_stderr(io.StringIO()):
            events = json_to_py.event_list_from_epcis_document_json(document)
            prehashes = hash_generator.derive_prehashes_from_events(events)
        if len(prehashes) != 1:
            answer = {"error": "no pre-hash"}
        else:
            answer = {
                "prehash": prehashes[0],
                "eventID": hash_generator.calculate_hashes_from_pre_hashes(prehashes)[0],
            }
    except Exception as error:  # the reference's own failures are answers too
        answer = {"error": f"{type(error).__name__}: {error}"}
    print(json.dumps(answer), flush=True)
