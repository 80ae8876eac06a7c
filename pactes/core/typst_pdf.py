"""Long tagged PDF documents laid out by Typst (ADR 0053): the procès-verbal of thousands of decisions.

A template (``.typ``) reads one JSON value, ``sys.inputs.data``: the caller's values, already formatted in French
(money and dates by pactes/rules/formatting.py, never by Typst), plus what this module adds:

- ``part``: « only » (the whole document), or « first », « middle », « last » (a chunk of the rows), or « footers »;
- ``rows``: the rows of this part; ``footers``: whether the pages carry their footer; ``pages``: the page count
  (for « footers » only).

Every value is a JSON string inserted as text (``[#value]``): nothing is escaped by hand, nothing is evaluated as
markup. Typst reads no web font: Marianne's WOFF2 files are converted to TrueType once, into a directory named by
their hash (``font_dir``), and Typst sees no other font.

Memory: Typst keeps what it laid out until the process ends (≈ 25 Mo, then ≈ 150 Ko per row of the procès-verbal).
A document of more than ``CHUNK_ROWS`` rows is therefore laid out in chunks, each in a fresh child process forked
from a *fork server* (a clean process that imports this module, ``typst`` and ``pikepdf``, never Django), two at a
time; a last child lays out the footers and merges the chunks with pikepdf (qpdf): one structure tree whose
``Document`` holds every chunk's elements, ``StructParents`` renumbered, one ``ParentTree``, the role map, the
bookmarks; the first chunk's catalogue (language, ``MarkInfo``, ``DisplayDocTitle``), metadata and PDF/UA-1
identification. « Page n sur N » is known only after every chunk: a document of N pages of footers alone is laid out
last and each of its pages is drawn over the merged page, marked as a pagination artifact. A document of one chunk
is laid out here, in one compilation, with its own footers: same template, same tags.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import resource
import shutil
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

CHUNK_ROWS = 250  # rows per child process: ≈ 100 Mo of Typst layout each (25 Mo + 150 Ko a row), two at a time
WORKERS = 2
PDF_STANDARDS = ["ua-1"]  # Typst checks PDF/UA-1 rules while it writes (tags, title, language, artifacts)
XMP_PAGES = "{http://ns.adobe.com/xap/1.0/t/pg/}NPages"
FOOTER_ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC"
# What the child processes of the last chunked rendering in this process used (for benchmarks/ and the logs: a fork
# server's grandchildren are not in this process's RUSAGE_CHILDREN): processor seconds, each one's peak memory (Kio).
last_children: dict[str, Any] = {"cpu": 0.0, "peaks_kib": [], "wall": {}}


def font_dir(sources: Sequence[Path], cache: Path | None = None) -> Path:
    """A directory of the TrueType versions of ``sources`` (WOFF2 files, which Typst cannot read), made once and named
    by the hash of their content: a new version of the fonts makes a new directory."""
    digest = hashlib.sha256()
    for source in sorted(sources):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    cache = cache or Path(tempfile.gettempdir())
    target = cache / f"pactes-typst-fonts-{digest.hexdigest()[:20]}"
    if not target.is_dir():
        from fontTools.ttLib import TTFont  # a dependency of WeasyPrint, with brotli for WOFF2

        work = Path(tempfile.mkdtemp(prefix=".pactes-typst-fonts-", dir=cache))
        for source in sources:
            font = TTFont(source)
            font.flavor = None
            font.save(work / f"{source.stem}.ttf")
        try:
            work.rename(target)
        except OSError:  # another process made it meanwhile
            shutil.rmtree(work, ignore_errors=True)
    return target


def compile_typst(
    template: Path, data: dict[str, Any], fonts: Path, *, tagged: bool = True, checked: bool = True
) -> bytes:
    """``template`` laid out with ``data`` (``sys.inputs.data``), the fonts of ``fonts`` only: PDF bytes; tagged and,
    when ``checked``, checked against PDF/UA-1 by Typst (which then names it in the metadata)."""
    import typst

    return bytes(
        typst.compile(
            str(template),
            root=str(template.parent),
            font_paths=[str(fonts)],
            ignore_system_fonts=True,
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
            pdf_standards=PDF_STANDARDS if tagged and checked else [],
            pdf_tags=tagged,
        )
    )


def render(
    template: Path, values: dict[str, Any], rows: list[Any], *, fonts: Path, chunk_rows: int | None = None
) -> bytes:
    """The document of ``template`` with ``values`` and ``rows``: in this process when the rows fit in one chunk,
    else in chunks laid out by child processes and merged (same content, same tags, same footers)."""
    chunk_rows = chunk_rows or CHUNK_ROWS
    if len(rows) <= chunk_rows:
        return compile_typst(template, {**values, "part": "only", "footers": True, "rows": rows}, fonts)
    chunks = [rows[start : start + chunk_rows] for start in range(0, len(rows), chunk_rows)]
    parts = ["first", *["middle"] * (len(chunks) - 2), "last"]
    started = time.perf_counter()
    pool = ProcessPoolExecutor(max_workers=WORKERS, mp_context=_forkserver(), max_tasks_per_child=1)
    with pool:
        jobs = [
            pool.submit(_chunk, template, {**values, "part": part, "footers": False, "rows": chunk}, fonts, n)
            for n, (part, chunk) in enumerate(zip(parts, chunks, strict=True))
        ]
        done = [job.result() for job in jobs]
        pages = sum(count for (_pdf, count), _usage in done)
        laid_out = time.perf_counter()
        finished = pool.submit(_finish, template, values, fonts, [pdf for (pdf, _count), _usage in done], pages)
        pdf, usage = finished.result()
    usages = [usage for _result, usage in done] + [usage]
    last_children.update(
        cpu=sum(cpu for cpu, _peak in usages),
        peaks_kib=[peak for _cpu, peak in usages],
        wall={"chunks": laid_out - started, "merge": time.perf_counter() - laid_out},
    )
    logger.info("PDF en %d tranches, %d pages, enfants : %s", len(chunks), pages, last_children)
    return pdf


def _usage() -> tuple[float, int]:
    """This (child) process's processor seconds and peak resident memory (Kio)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime, own.ru_maxrss


def _forkserver() -> Any:
    """The context of the child processes: forked from a *fork server*, a clean process started once (it imports
    this module, Typst and pikepdf, never Django: the children hold no connection nor settings of the parent), so that
    each chunk's process starts in milliseconds and gives all its memory back when it ends."""
    context = get_context("forkserver")
    context.set_forkserver_preload([__name__, "typst", "pikepdf"])
    return context


def _finish(
    template: Path, values: dict[str, Any], fonts: Path, chunks: list[bytes], pages: int
) -> tuple[bytes, tuple[float, int]]:
    """In a child process too (the merged structure tree weighs ≈ 25 Ko per row): the footers of ``pages`` pages laid
    out, the chunks merged under them."""
    footers = {**values, "part": "footers", "footers": True, "pages": pages, "rows": []}
    return merge(chunks, compile_typst(template, footers, fonts, tagged=False)), _usage()


def _chunk(
    template: Path, data: dict[str, Any], fonts: Path, number: int
) -> tuple[tuple[bytes, int], tuple[float, int]]:
    """One chunk, laid out in a child process: its PDF (structure tree slimmed) and its page count."""
    import pikepdf

    # Only the first chunk is checked against PDF/UA-1: a later one starts with a level-2 heading (after the first
    # chunk's H1), which PDF/UA-1 forbids of a whole document; the merged document keeps the first chunk's metadata.
    with pikepdf.open(io.BytesIO(compile_typst(template, data, fonts, checked=not number))) as pdf:
        _slim(pdf)
        out = io.BytesIO()
        pdf.save(out)
        return (out.getvalue(), len(pdf.pages)), _usage()


def _slim(pdf: Any) -> None:
    """The structure tree made lighter for the merge (≈ 10 elements per row: the merged tree dominates the parent's
    memory): each table cell keeps only its table attributes, header cells their ``/Scope`` (column), data cells
    no ``/Headers`` list, no ``/ID`` nor ``/IDTree``; layout attributes (borders, background) are dropped; a single
    marked-content id is written as a number, not an array. A simple
    table whose header cells say their scope is read the same (PDF/UA: ``Scope`` or ``Headers``), and no two chunks
    can then share an id."""
    import pikepdf

    root = pdf.Root.StructTreeRoot
    if "/IDTree" in root:
        del root["/IDTree"]
    for element in _elements(root.K):
        for optional in ("/ID", "/Type"):  # /Type /StructElem is optional
            if optional in element:
                del element[optional]
        kids = element.get("/K")
        if isinstance(kids, pikepdf.Array) and len(kids) == 1 and isinstance(kids[0], int):
            element["/K"] = kids[0]  # one marked-content id: the number itself, one object fewer
        if "/A" not in element:
            continue
        kept = []
        for attributes in _array(element.A):
            if attributes.get("/O") == pikepdf.Name.Layout:
                continue
            if "/Headers" in attributes:
                del attributes["/Headers"]
            if len(attributes) > 1:  # more than /O
                kept.append(attributes)
        if kept:
            element["/A"] = kept[0] if len(kept) == 1 else pikepdf.Array(kept)
        else:
            del element["/A"]


def _array(value: Any) -> list[Any]:
    import pikepdf

    if value is None:
        return []
    return list(value) if isinstance(value, pikepdf.Array) else [value]


def _elements(top: Any) -> Any:
    """Every structure element of ``top`` (an element or an array of them) and under it, depth first."""
    import pikepdf

    stack = _array(top)
    while stack:
        element = stack.pop()
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
            continue  # marked-content or object reference, MCID
        yield element
        stack.extend(_array(element.get("/K")))


def merge(chunks: list[bytes], footers: bytes | None = None) -> bytes:
    """The chunks' PDFs as one tagged document (the first chunk's catalogue, metadata, title and language), with
    ``footers``' pages drawn over its pages as pagination artifacts."""
    import pikepdf

    merged = pikepdf.open(io.BytesIO(chunks[0]))
    root = merged.Root.StructTreeRoot
    document = _document(root)
    parent_tree = pikepdf.NumberTree(root.ParentTree)
    next_key = int(root.ParentTreeNextKey)
    outline_pages: list[tuple[str, int]] = []
    for chunk in chunks[1:]:
        other = pikepdf.open(io.BytesIO(chunk))
        other_root = other.Root.StructTreeRoot
        offset, first_page = next_key, len(merged.pages)
        for page in other.pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in _array(page.obj.get("/Annots")):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        kids = _array(_document(other_root).get("/K"))
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/P" in kid:
                del kid["/P"]  # else copying it would copy the other chunk's whole tree
        merged.pages.extend(other.pages)  # first: the elements copied below then name these copies in /Pg
        document["/K"] = pikepdf.Array([*_array(document.get("/K")), *(merged.copy_foreign(kid) for kid in kids)])
        for kid in document.K[len(document.K) - len(kids) :]:
            if isinstance(kid, pikepdf.Dictionary):
                kid["/P"] = document
        for key, value in pikepdf.NumberTree(other_root.ParentTree).items():
            parent_tree[key + offset] = _copied(merged, value)
        next_key = offset + int(other_root.ParentTreeNextKey)
        for name, role in (other_root.get("/RoleMap") or {}).items():
            if "/RoleMap" in root and name not in root.RoleMap:
                root.RoleMap[name] = role
        outline_pages += _outline(other, first_page)
        # Closed at once: what was copied no longer needs it (page contents keep their own reference to the bytes),
        # so that only one chunk's objects are in memory beside the merged document.
        del kids, other_root
        other.close()
    root.ParentTreeNextKey = next_key
    with merged.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as metadata:
        if XMP_PAGES in metadata:
            metadata[XMP_PAGES] = str(len(merged.pages))  # else the first chunk's count
    _extend_outline(merged, outline_pages)
    if footers is not None:
        _overlay_footers(merged, pikepdf.open(io.BytesIO(footers)))
    out = io.BytesIO()
    merged.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _document(tree_root: Any) -> Any:
    """The one top element (``Document``) under a structure tree root, as Typst writes it."""
    (document,) = _array(tree_root.K)
    return document


def _copied(pdf: Any, value: Any) -> Any:
    """``value`` of another PDF copied into ``pdf``: an indirect object, or a direct array of them."""
    import pikepdf

    if isinstance(value, pikepdf.Array) and not value.is_indirect:
        return pikepdf.Array([pdf.copy_foreign(item) if item.is_indirect else item for item in value])
    return pdf.copy_foreign(value)


def _outline(pdf: Any, first_page: int) -> list[tuple[str, int]]:
    """The bookmarks of a chunk (flattened), with the page each leads to in the merged document."""
    found = []
    with pdf.open_outline() as outline:
        stack = list(reversed(outline.root))
        while stack:
            item = stack.pop()
            destination = item.destination
            if destination is not None and len(destination):
                found.append((item.title, first_page + _page_index(pdf, destination[0])))
            stack.extend(reversed(item.children))
    return found


def _page_index(pdf: Any, page: Any) -> int:
    return next(n for n, candidate in enumerate(pdf.pages) if candidate.obj.objgen == page.objgen)


def _extend_outline(pdf: Any, items: list[tuple[str, int]]) -> None:
    """The later chunks' bookmarks, under the document's one top bookmark (its title) when it has one."""
    import pikepdf

    if not items:
        return
    with pdf.open_outline() as outline:
        under = outline.root[-1].children if len(outline.root) == 1 else outline.root
        under.extend(pikepdf.OutlineItem(title, page) for title, page in items)


def _overlay_footers(pdf: Any, footers: Any) -> None:
    """Each page of ``footers`` drawn over the same page of ``pdf``, inside a pagination artifact (not read aloud);
    the page's own drawing is enclosed in q … Q so that its graphics state does not reach the footer."""
    import pikepdf

    for page, footer in zip(pdf.pages, footers.pages, strict=True):
        form = pdf.copy_foreign(footer.as_form_xobject())
        name = page.add_resource(form, pikepdf.Name.XObject, prefix="PactesFooter")
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        page.contents_add(pdf.make_stream(b"Q\n" + FOOTER_ARTIFACT + b" q " + bytes(name) + b" Do Q EMC\n"))
