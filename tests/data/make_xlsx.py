#!/usr/bin/env python3
"""Write the .xlsx fixtures of tests/data (README.md there says what each holds).

    pip install openpyxl && python3 tests/data/make_xlsx.py

store.xlsx holds the rows of four CSV fixtures, one sheet each, with the
cells a spreadsheet would have: plain numbers become number cells, plain
dates date cells (with a date format), everything else stays text as written
("￥1,234.50", "33元", "2026/10/20 18:30", "2026年9月5日", ids with leading
zeros). Loading a sheet must give the same table as loading its CSV.

orders_edge.xlsx holds what only a workbook can have (see the README).
"""
import csv
import datetime as dt
import io
import pathlib
import re

import openpyxl

HERE = pathlib.Path(__file__).parent
FIXED = dt.datetime(2026, 11, 1, 0, 0, 0)  # document dates, so reruns differ only where openpyxl does

NUMBER = re.compile(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]+)?")
DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?")


def cell_value(text):
    """The value a spreadsheet cell would hold for a CSV field."""
    if NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    m = DATE.fullmatch(text)
    if m:
        y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
        try:
            return dt.datetime(y, mo, d, h, mi, s)
        except ValueError:  # not a real date: it stays text, as a typo would
            return text
    return text


def fill(ws, rows):
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row, start=1):
            if text == "":
                continue
            value = text if r == 1 else cell_value(text)
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss" if value.time() != dt.time() else "yyyy-mm-dd"


def read_csv(name, encoding):
    text = (HERE / name).read_bytes().decode(encoding)
    return list(csv.reader(io.StringIO(text, newline="")))


def save(wb, name):
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.save(HERE / name)


def store():
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, name, encoding in [
        ("订单", "orders_utf8_bom.csv", "utf-8-sig"),
        ("会员", "members_all_fields.csv", "utf-8"),
        ("订单明细", "order_lines_gbk.csv", "gbk"),
        ("行为", "events_utf8.csv", "utf-8"),
    ]:
        fill(wb.create_sheet(sheet), read_csv(name, encoding))
    save(wb, "store.xlsx")


def edge():
    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "说明"
    hidden["A1"] = "这张表是隐藏的：默认读第一张可见的工作表"
    hidden.sheet_state = "hidden"
    ws = wb.create_sheet("订单")
    # Row 1 empty; the table starts at B2 (column A is a margin).
    header = ["会员ID", "支付时间", "实付金额", "备注", "已核对"]
    for c, h in enumerate(header, start=2):
        ws.cell(row=2, column=c, value=h)
    rows = {
        3: ["E1", dt.datetime(2026, 3, 5, 14, 2, 59, 999000), 36.900000000000006, "公式的浮点误差", True],
        4: ["E2", dt.datetime(2026, 3, 6), "#N/A", "金额是错误值", False],
        # row 5: entirely empty (skipped, still counted as a spreadsheet row)
        6: ["E3", "2026-03-07 09:00", "¥1,234.50", "#DIV/0!", None],
        7: ["E4", dt.time(9, 30), 10, "只有时间", None],
        8: ["E5", 46088.5, 20, None, None],
    }
    for r, values in rows.items():
        for c, v in enumerate(values, start=2):
            if v is None:
                continue
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(v, dt.time):
                cell.number_format = "hh:mm"
    # A value left of the table: the row is rejected, not silently cut.
    ws["A9"] = "左边多了一格"
    for c, v in enumerate(["E6", "2026-03-08", 5], start=2):
        ws.cell(row=9, column=c, value=v)
    # Styled but empty cells right of the table change nothing.
    ws["H2"].number_format = "0.00"
    ws["H3"].number_format = "0.00"
    save(wb, "orders_edge.xlsx")


if __name__ == "__main__":
    store()
    edge()
