"""Data-flow diagram (inline SVG): which value feeds which stage, for encryption and decryption.

Edges come from each Step's recorded ``inputs``, plus the structure of RFC 7516 itself (the
token is made of its five encoded parts; on decryption each part comes from the token). Nodes
are laid out in layers by their longest path from a source. For a decryption that failed, the
stages it never reached are drawn dashed and the stage that rejected the token is marked.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from html import escape
from typing import Any

from ..trace import DecryptTrace
from .format import describe_size
from .palette import BAD_COLOR, FOREGROUND, MUTED, part
from .source import as_trace

KEY_NODE = "recipient key"

# RFC 7516 structure, added to whatever the steps recorded: value -> the values it is made from.
ENCRYPT_STRUCTURE: dict[str, tuple[str, ...]] = {
    "protected_header": ("header",),
    "encoded_protected_header": ("protected_header",),
    "aad": ("encoded_protected_header",),
    "encrypted_key": ("cek", KEY_NODE),
    "ciphertext": ("cek", "iv", "plaintext", "aad"),
    "tag": ("cek", "iv", "aad", "ciphertext"),
    "token": ("encoded_protected_header", "encrypted_key", "iv", "ciphertext", "tag"),
}
DECRYPT_STRUCTURE: dict[str, tuple[str, ...]] = {
    "encoded_protected_header": ("token",),
    "protected_header": ("encoded_protected_header",),
    "encrypted_key": ("token",),
    "iv": ("token",),
    "ciphertext": ("token",),
    "tag": ("token",),
    "header": ("protected_header",),
    "cek": ("encrypted_key", KEY_NODE),
    "aad": ("encoded_protected_header",),
    "plaintext": ("cek", "iv", "ciphertext", "tag", "aad"),
}
DECRYPT_ORDER = (
    "token", "encoded_protected_header", "protected_header", "encrypted_key", "iv", "ciphertext",
    "tag", "header", KEY_NODE, "cek", "aad", "plaintext",
)  # fmt: skip

# The node where each error stage (errors.Stage) stops a decryption.
STAGE_NODE: dict[str, str] = {
    "limits": "token",
    "serialization": "token",
    "base64url": "token",
    "header": "header",
    "algorithm": "header",
    "key": KEY_NODE,
    "key_management": "cek",
    "cek": "cek",
    "iv": "iv",
    "tag": "tag",
    "content_decryption": "plaintext",
    "decompression": "plaintext",
}

NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN = 150, 40, 14, 38, 12
SHORT_LABELS = {
    "encoded_protected_header": "encoded header",
    "key_management_mode": "key management mode",
    "key_encryption_parameters": "key encryption params",
}


@dataclass
class Flow:
    """The graph: nodes (in layers) and edges; ``svg()`` draws it."""

    title: str
    nodes: list[str]
    edges: list[tuple[str, str]]
    sizes: dict[str, str] = field(default_factory=dict)
    meanings: dict[str, str] = field(default_factory=dict)
    reached: set[str] = field(default_factory=set)
    failed: str | None = None
    failure: str = ""
    current: str | None = None  # a node to outline, e.g. the step a stepper shows
    pending: str = "not reached"  # the label of nodes not in ``reached``

    def layers(self) -> list[list[str]]:
        depth: dict[str, int] = {}
        feeds: dict[str, list[str]] = {node: [] for node in self.nodes}
        for source, target in self.edges:
            feeds[target].append(source)

        def level(node: str, seen: frozenset[str] = frozenset()) -> int:
            if node not in depth:
                parents = [p for p in feeds[node] if p not in seen]
                depth[node] = 1 + max((level(p, seen | {node}) for p in parents), default=-1)
            return depth[node]

        for node in self.nodes:
            level(node)
        # A source sits just above its first consumer, so its edges stay short.
        children: dict[str, list[str]] = {node: [] for node in self.nodes}
        for source, target in self.edges:
            children[source].append(target)
        for node in self.nodes:
            if not feeds[node] and children[node]:
                depth[node] = max(0, min(depth[child] for child in children[node]) - 1)
        if KEY_NODE in depth:  # the key is an input of the whole operation: on top
            depth[KEY_NODE] = 0
        result: list[list[str]] = []
        for node in self.nodes:
            d = depth[node]
            while len(result) <= d:
                result.append([])
            result[d].append(node)
        return result

    def svg(self) -> str:
        return flow_svg(self)

    def _repr_html_(self) -> str:
        return flow_svg(self)

    def __repr__(self) -> str:
        failed = f", rejected at {self.failed}" if self.failed else ""
        return f"<Flow {self.title}: {len(self.nodes)} values, {len(self.edges)} edges{failed}>"

    def __str__(self) -> str:
        lines = [self.title]
        for number, layer in enumerate(self.layers()):
            lines.append(f"  {number}: " + ", ".join(layer))
        lines.extend(f"  {a} -> {b}" for a, b in self.edges)
        if self.failed:
            lines.append(f"  rejected at: {self.failed} ({self.failure})")
        return "\n".join(lines)


def data_flow(source: Any) -> Flow:
    """The data flow of a Trace or Explanation.

    >>> data_flow(trace)                 # encryption: header, CEK, IV, plaintext → token
    >>> data_flow(jwe_steps.explain(token, key))   # decryption, failure marked
    """
    trace = as_trace(source)
    if trace is None:
        raise TypeError("data_flow needs a Trace or an Explanation")
    decrypting = isinstance(trace, DecryptTrace) or trace.operation == "decrypt"
    structure = DECRYPT_STRUCTURE if decrypting else ENCRYPT_STRUCTURE
    recorded = trace.names()
    edges: dict[tuple[str, str], None] = {}
    for step in trace.steps:
        for name in step.inputs:
            edges[(name, step.name)] = None
    error = getattr(source, "error", None)
    candidates = list(recorded)
    if decrypting:
        candidates += [name for name in DECRYPT_ORDER if name not in candidates]
    else:
        candidates.append(KEY_NODE)
    for target, sources in structure.items():
        for name in sources:
            if target in candidates and name in candidates:
                edges[(name, target)] = None
    connected = {name for edge in edges for name in edge}
    nodes = [name for name in candidates if name in connected]
    if KEY_NODE in nodes:  # draw the key beside what it feeds
        nodes.remove(KEY_NODE)
        nodes.insert(0, KEY_NODE)
    sizes = {name: describe_size(trace[name]) for name in nodes if name in trace}
    meanings = {
        name: f"{trace.step(name).meaning} [{trace.step(name).rfc}]"
        for name in nodes
        if name in trace
    }
    meanings[KEY_NODE] = "the recipient's key (public to encrypt, private to decrypt)"
    reached = set(recorded) | {KEY_NODE}
    failed = None
    failure = ""
    if error is not None:
        failed = STAGE_NODE.get(str(getattr(error, "stage", "")))
        failure = f"{getattr(error, 'stage', '')}: {getattr(error, 'message', error)}"
    title = ("Decryption" if decrypting else "Encryption") + " data flow"
    return Flow(
        title,
        nodes,
        [edge for edge in edges if edge[0] in nodes and edge[1] in nodes],
        sizes,
        meanings,
        reached,
        failed,
        failure,
    )


DUMMY_W = 12  # the width a long edge takes up in each layer it passes through
Point = tuple[float, float]


@dataclass
class _Layout:
    positions: dict[str, Point]  # top-left corner of each node
    routes: dict[tuple[str, str], list[Point]]  # the lane points each long edge passes through
    width: float
    height: float


def _layout(flow: Flow) -> _Layout:
    """Layers top to bottom; an edge spanning several layers gets a lane (a dummy node) in each
    layer it crosses, so it never runs through a box; nodes are ordered within their layer by
    the mean position of their neighbours (a few barycenter sweeps) to cut crossings."""
    layers = [list(layer) for layer in flow.layers()]
    depth = {node: row for row, layer in enumerate(layers) for node in layer}
    chains: dict[tuple[str, str], list[str]] = {}
    above: dict[str, list[str]] = {}
    below: dict[str, list[str]] = {}
    for source, target in flow.edges:
        chain = []
        for row in range(depth[source] + 1, depth[target]):
            dummy = f"\x00{source}\x00{target}\x00{row}"
            layers[row].append(dummy)
            chain.append(dummy)
        chains[(source, target)] = chain
        path = [source, *chain, target]
        for upper, lower in itertools.pairwise(path):
            below.setdefault(upper, []).append(lower)
            above.setdefault(lower, []).append(upper)

    def order(rows: range, neighbours: dict[str, list[str]], offset: int) -> None:
        for row in rows:
            index = {item: i for i, item in enumerate(layers[row + offset])}
            current = {item: i for i, item in enumerate(layers[row])}

            def weight(
                item: str, index: dict[str, int] = index, current: dict[str, int] = current
            ) -> float:
                near = [index[n] for n in neighbours.get(item, []) if n in index]
                return sum(near) / len(near) if near else current[item]

            layers[row].sort(key=weight)

    for _ in range(3):
        order(range(1, len(layers)), above, -1)
        order(range(len(layers) - 2, -1, -1), below, +1)

    def size(item: str) -> float:
        return DUMMY_W if item.startswith("\x00") else NODE_W

    widths = [sum(size(i) for i in layer) + GAP_X * max(len(layer) - 1, 0) for layer in layers]
    width = 2 * MARGIN + max(widths, default=NODE_W)
    positions: dict[str, Point] = {}
    lanes: dict[str, Point] = {}
    for row, layer in enumerate(layers):
        x = (width - widths[row]) / 2
        y = MARGIN + 22 + row * (NODE_H + GAP_Y)
        for item in layer:
            if item.startswith("\x00"):
                lanes[item] = (x + DUMMY_W / 2, y)
            else:
                positions[item] = (x, y)
            x += size(item) + GAP_X
    routes = {edge: [lanes[dummy] for dummy in chain] for edge, chain in chains.items()}
    height = MARGIN + 22 + len(layers) * (NODE_H + GAP_Y) - GAP_Y + MARGIN + 18
    return _Layout(positions, routes, width, height)


def _edges_svg(flow: Flow, layout: _Layout) -> list[str]:
    """One curved arrow per edge, faded where the token never got."""
    positions = layout.positions
    out: list[str] = []

    # Spread the ends of the edges along each node's bottom (out) and top (in) side, ordered by
    # where the edge goes next, so arrows neither pile up nor cross needlessly.
    def next_x(edge: tuple[str, str], leaving: bool) -> float:
        lane = layout.routes[edge]
        if lane:
            return lane[0][0] if leaving else lane[-1][0]
        other = edge[1] if leaving else edge[0]
        return positions[other][0] + NODE_W / 2

    outgoing: dict[str, list[tuple[str, str]]] = {}
    incoming: dict[str, list[tuple[str, str]]] = {}
    for edge in flow.edges:
        outgoing.setdefault(edge[0], []).append(edge)
        incoming.setdefault(edge[1], []).append(edge)

    def port(
        node: str, edges: list[tuple[str, str]], edge: tuple[str, str], leaving: bool
    ) -> float:
        ordered = sorted(edges, key=lambda e: next_x(e, leaving))
        share = NODE_W * 0.7 / max(len(ordered), 1)
        return positions[node][0] + NODE_W * 0.15 + share * (ordered.index(edge) + 0.5)

    def curve(a: Point, b: Point) -> str:
        mid = (a[1] + b[1]) / 2
        return f" C{a[0]:.1f},{mid:.1f} {b[0]:.1f},{mid:.1f} {b[0]:.1f},{b[1]:.1f}"

    for edge in flow.edges:
        source, target = edge
        start = (port(source, outgoing[source], edge, True), positions[source][1] + NODE_H)
        end = (port(target, incoming[target], edge, False), positions[target][1] - 2)
        d = f"M{start[0]:.1f},{start[1]:.1f}"
        at = start
        for lane_x, lane_y in layout.routes[edge]:  # down through each lane, straight
            d += curve(at, (lane_x, lane_y)) + f" L{lane_x:.1f},{lane_y + NODE_H:.1f}"
            at = (lane_x, lane_y + NODE_H)
        d += curve(at, end)
        faded = target not in flow.reached or source not in flow.reached
        dashes = ' stroke-dasharray="4 3"' if faded else ""
        out.append(
            f'<path d="{d}" fill="none" stroke="currentColor" '
            f'stroke-opacity="{0.25 if faded else 0.55}" stroke-width="1.3"{dashes} '
            'marker-end="url(#jwe-arrow)"><title>'
            f"{escape(source)} → {escape(target)}</title></path>"
        )
    return out


def _node_svg(flow: Flow, node: str, x: float, y: float) -> list[str]:
    """One stage's box: tinted when reached, dashed when not, outlined when current or failed."""
    out: list[str] = []
    drawn = part(node)
    reached = node in flow.reached
    failed = node == flow.failed
    stroke = BAD_COLOR if failed else drawn.color
    dash = "" if reached or failed else ' stroke-dasharray="5 3"'
    fill = drawn.tint(0.28 if reached else 0.08)
    title = flow.meanings.get(node, node)
    if not reached and not failed:
        title += f" — {flow.pending}"
    if failed:
        title = f"rejected here: {flow.failure}"
    size = flow.sizes.get(node, "")
    label = SHORT_LABELS.get(node, node.replace("_", " "))
    if len(label) > 22:
        label = label[:21] + "…"
    out.append(
        f'<g class="jwe-node" data-node="{escape(node)}"><title>{escape(title)}</title>'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_W}" '
        f'height="{NODE_H}" rx="7" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="{3 if failed else 1.8}"{dash}/>'
        f'<text x="{x + NODE_W / 2:.1f}" y="{y + 17:.1f}" text-anchor="middle" font-size="12" '
        f'font-weight="600" fill="currentColor" opacity="{1 if reached else 0.55}">'
        f"{escape(label)}</text>"
        f'<text x="{x + NODE_W / 2:.1f}" y="{y + 32:.1f}" '
        'text-anchor="middle" font-size="10.5" '
        f'fill="currentColor" opacity="0.75">'
        f"{escape(size if reached else flow.pending)}</text></g>"
    )
    if node == flow.current:
        out.append(
            f'<rect class="jwe-current" x="{x - 4:.1f}" y="{y - 4:.1f}" width="{NODE_W + 8}" '
            f'height="{NODE_H + 8}" rx="10" fill="none" stroke="currentColor" '
            'stroke-width="2.5"><title>the step shown</title></rect>'
        )
    if failed:
        out.append(
            f'<text x="{x + NODE_W / 2:.1f}" y="{y + NODE_H + 13:.1f}" text-anchor="middle" '
            f'font-size="11" font-weight="bold" fill="{BAD_COLOR}">✗ rejected here</text>'
        )
    return out


def flow_svg(flow: Flow) -> str:
    """The diagram as inline SVG inside a div (text in the theme's colour, parts tinted)."""
    layout = _layout(flow)
    width, height = layout.width, layout.height
    out = [
        f'<div class="jwe-steps-view jwe-flow" style="color:{FOREGROUND};margin:0.4em 0">'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" style="max-width:100%;height:auto;font-family:sans-serif" '
        f'role="img" aria-label="{escape(flow.title)}">',
        "<defs>"
        '<marker id="jwe-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="currentColor" opacity="0.7"/></marker></defs>',
        f'<text x="{MARGIN}" y="{MARGIN + 10}" font-size="14" font-weight="bold" '
        f'fill="currentColor">{escape(flow.title)}</text>',
    ]

    out += _edges_svg(flow, layout)
    for node in flow.nodes:
        out += _node_svg(flow, node, *layout.positions[node])
    out.append("</svg>")
    if flow.failed:
        out.append(
            f'<div style="color:{MUTED};font-size:0.85em">Dashed: stages the token never reached. '
            f"Rejected at {escape(flow.failure)}</div>"
        )
    out.append("</div>")
    return "".join(out)


def flow_diagram(source: Any) -> Flow:
    """Alias of :func:`data_flow`, reading better in notebooks: ``flow_diagram(trace)``."""
    return data_flow(source)


__all__ = [
    "DECRYPT_STRUCTURE",
    "ENCRYPT_STRUCTURE",
    "Flow",
    "data_flow",
    "flow_diagram",
    "flow_svg",
]
