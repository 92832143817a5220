"""Data-flow diagram: edges from the recorded inputs and RFC 7516's structure, as SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import jwe_steps
from jwe_steps import explain
from jwe_steps.view import data_flow
from jwe_steps.view.flow import KEY_NODE


def _svg(html: str) -> ET.Element:
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    return ET.fromstring(html[start:end])  # well-formed XML


def test_encryption_flow_follows_the_recorded_inputs(rsa_key):
    trace = jwe_steps.encrypt(b"hi", rsa_key, alg="RSA-OAEP-256", enc="A256GCM")
    flow = data_flow(trace)
    for step in trace.steps:
        for name in step.inputs:
            assert (name, step.name) in flow.edges
    assert (KEY_NODE, "encrypted_key") in flow.edges
    assert ("tag", "token") in flow.edges
    layers = flow.layers()
    depth = {node: i for i, layer in enumerate(layers) for node in layer}
    for source, target in flow.edges:
        assert depth[source] < depth[target], (source, target)
    root = _svg(flow.svg())
    nodes = root.findall(".//{http://www.w3.org/2000/svg}g")
    assert {g.get("data-node") for g in nodes} == set(flow.nodes)


def test_a_failed_decryption_marks_the_stage_and_what_was_not_reached(rsa_key):
    trace = jwe_steps.encrypt(b"hi", rsa_key, alg="RSA-OAEP", enc="A128GCM")
    parts = trace.token.split(".")
    parts[1] = parts[1][:-4] + ("AAAA" if parts[1][-4:] != "AAAA" else "BBBB")
    flow = data_flow(explain(".".join(parts), rsa_key))
    assert flow.failed == "cek"
    assert "plaintext" in flow.nodes and "plaintext" not in flow.reached
    html = flow.svg()
    assert "rejected here" in html and "not reached" in html
    _svg(html)


def test_a_successful_decryption_reaches_the_plaintext(rsa_key):
    trace = jwe_steps.encrypt(b"hi", rsa_key, alg="RSA-OAEP", enc="A128GCM")
    flow = data_flow(jwe_steps.decrypt(trace.token, rsa_key))
    assert flow.failed is None and "plaintext" in flow.reached
    assert ("token", "iv") in flow.edges and ("aad", "plaintext") in flow.edges
    assert "Decryption data flow" in str(flow)
