"""XLSX decompression bombs made by the tests themselves (issue 13): a valid
workbook whose one sheet inflates to about `inflated_bytes` of XML, packed
hundreds of times smaller. Written streaming, so making one costs no memory."""

from __future__ import annotations

import zipfile
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="datos" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
# One data row: sku 1, store 1, date 46027 (2026-01-05 as an Excel serial),
# quantity 1. Cells without a reference are valid and the smallest there are:
# the most cells (and memory) per inflated byte.
_ROW = "<row><c><v>1</v></c><c><v>1</v></c><c><v>46027</v></c><c><v>1</v></c></row>"
CELLS_PER_ROW = 4


def write_bomb(path: Path, rows: int) -> int:
    """Write a bomb of `rows` valid sales rows; return its inflated size in bytes."""
    header = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row><c t="inlineStr"><is><t>sku</t></is></c><c t="inlineStr"><is><t>store</t></is></c>'
        b'<c t="inlineStr"><is><t>date</t></is></c><c t="inlineStr"><is><t>quantity</t></is></c></row>'
    )
    block = (_ROW * 10_000).encode()
    footer = b"</sheetData></worksheet>"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(header)
            for _ in range(rows // 10_000):
                sheet.write(block)
            sheet.write((_ROW * (rows % 10_000)).encode() + footer)
    return len(header) + rows * len(_ROW) + len(footer)


# --- Shared-string bombs (issue 33 §4) ------------------------------------
_CONTENT_TYPES_SST = _CONTENT_TYPES.replace(
    "</Types>",
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
)
_WORKBOOK_RELS_SST = _WORKBOOK_RELS.replace(
    "</Relationships>",
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>',
)


def write_shared_string_bomb(path: Path, *, strings: list[str], references: list[int], tag: str = '<c t="s">') -> int:
    """A workbook whose sheet has a header row and then rows of 4 cells, each
    cell naming the shared string `references[i]` (spelled with `tag`, e.g.
    '<c\\n t="s">'). Returns the sum of the lengths its cells name."""
    sst = "".join(f"<si><t>{text}</t></si>" for text in strings)
    header = (
        '<row><c t="inlineStr"><is><t>sku</t></is></c><c t="inlineStr"><is><t>store</t></is></c>'
        '<c t="inlineStr"><is><t>date</t></is></c><c t="inlineStr"><is><t>quantity</t></is></c></row>'
    )
    cells = [f"{tag}<v>{index}</v></c>" for index in references]
    rows = "".join(
        "<row>" + "".join(cells[start : start + CELLS_PER_ROW]) + "</row>"
        for start in range(0, len(cells), CELLS_PER_ROW)
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES_SST)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS_SST)
        archive.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{sst}</sst>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{header}{rows}</sheetData></worksheet>",
        )
    return sum(len(strings[index]) for index in references)


def write_cells(path: Path, *, rows: int, tag: str) -> None:
    """A workbook of `rows` rows of 4 numeric cells spelled with `tag` (e.g. '<c\\n>')."""
    close = "</x:c>" if tag.startswith("<x:") else "</c>"
    row = "<row>" + f"{tag}<v>1</v>{close}" * CELLS_PER_ROW + "</row>"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{row * rows}</sheetData></worksheet>",
        )
