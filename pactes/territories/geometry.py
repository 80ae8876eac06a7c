"""GeoJSON contours drawn as SVG paths, server side: an equirectangular projection corrected by cos(latitude)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

Ring = list[list[float]]


def _polygons(geometry: dict[str, Any] | None) -> Iterator[list[Ring]]:
    if not geometry:
        return
    kind = geometry.get("type")
    if kind == "Polygon":
        yield geometry["coordinates"]
    elif kind == "MultiPolygon":
        yield from geometry["coordinates"]
    elif kind == "Feature":
        yield from _polygons(geometry.get("geometry"))
    elif kind == "FeatureCollection":
        for feature in geometry.get("features", []):
            yield from _polygons(feature.get("geometry"))


@dataclass(frozen=True)
class Layer:
    geometry: dict[str, Any] | None
    title: str
    fill: str = "#cacafb"  # DSFR blue-france 925
    stroke: str = "#000091"  # DSFR blue-france sun
    stroke_width: float = 1.0
    url: str = ""


@dataclass(frozen=True)
class Shape:
    path: str  # SVG path data
    title: str
    fill: str
    stroke: str
    stroke_width: float
    url: str = ""


@dataclass(frozen=True)
class Map:
    width: float
    height: float
    shapes: list[Shape]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"


def _bounds(geometries: Iterable[dict[str, Any] | None]) -> tuple[float, float, float, float] | None:
    xs: list[float] = []
    ys: list[float] = []
    for geometry in geometries:
        for polygon in _polygons(geometry):
            for ring in polygon:
                xs.extend(p[0] for p in ring)
                ys.extend(p[1] for p in ring)
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def _thin(points: list[tuple[float, float]], min_step: float) -> list[tuple[float, float]]:
    """Drops points closer than ``min_step`` to the last kept one: below a pixel they add bytes, not detail."""
    kept = points[:1]
    for x, y in points[1:]:
        last_x, last_y = kept[-1]
        if (x - last_x) ** 2 + (y - last_y) ** 2 >= min_step**2:
            kept.append((x, y))
    return kept


def build_map(
    layers: list[Layer],
    *,
    width: float = 480,
    frame: Iterable[dict[str, Any] | None] | None = None,
    min_step: float = 1.5,
) -> Map | None:
    """Layers drawn in order; the map is framed on the ``frame`` geometries (default: all layers)."""
    geometries = [layer.geometry for layer in layers]
    bounds = _bounds(frame if frame is not None else geometries)
    if bounds is None:
        return None
    min_x, min_y, max_x, max_y = bounds
    x_factor = math.cos(math.radians((min_y + max_y) / 2))
    span_x = max((max_x - min_x) * x_factor, 1e-9)
    span_y = max(max_y - min_y, 1e-9)
    margin = 4.0
    scale = (width - 2 * margin) / span_x
    height = round(span_y * scale + 2 * margin, 1)

    def project(p: list[float]) -> tuple[float, float]:
        return margin + (p[0] - min_x) * x_factor * scale, margin + (max_y - p[1]) * scale

    shapes = []
    for layer in layers:
        parts = []
        for polygon in _polygons(layer.geometry):
            for ring in polygon:
                kept = _thin([project(p) for p in ring], min_step)
                if len(kept) >= 3:
                    parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in kept) + "Z")
        if parts:
            shapes.append(
                Shape(
                    path="".join(parts),
                    title=layer.title,
                    fill=layer.fill,
                    stroke=layer.stroke,
                    stroke_width=layer.stroke_width,
                    url=layer.url,
                )
            )
    return Map(width=width, height=height, shapes=shapes)
