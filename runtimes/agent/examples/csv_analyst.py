"""Example agent program: answers a question about a CSV file under /artha/in/data, such as
"What is the mean of price where region is north?", by choosing tools step by step. It is a
rule-based planner (no language model), so a run is deterministic and a verifier's replay must
reach the same answer.

Task fields:
  question    "What is the <statistic> of <column> [where <column> is <value>]?"; statistic is one
              of mean/average, sum/total, min/minimum/lowest, max/maximum/highest, median, std,
              count
  file        optional: the CSV to use, relative to /artha/in; default the first .csv in data/
  convertUrl  optional: a URL answering {"rate": <number>}; the statistic is multiplied by it,
              e.g. for a currency conversion. If the host is refused the answer stays unconverted
              and says why.
"""

import json
import re

SYNONYMS = {
    "mean": "mean",
    "average": "mean",
    "sum": "sum",
    "total": "sum",
    "min": "min",
    "minimum": "min",
    "lowest": "min",
    "max": "max",
    "maximum": "max",
    "highest": "max",
    "median": "median",
    "std": "std",
    "count": "count",
}
QUESTION = re.compile(
    r"^\s*what\s+is\s+the\s+(?P<op>\w+)\s+of\s+(?P<column>[\w.-]+)"
    r"(?:\s+(?:where|for rows where)\s+(?P<wcol>[\w.-]+)\s+(?:is|=|==|equals)\s+(?P<wval>[^?]+?))?\s*\??\s*$",
    re.IGNORECASE,
)


def tool(name, **args):
    return {"tool": name, "input": args}


def answer(value, explanation, **more):
    return {"answer": {"value": value, "explanation": explanation, **more}}


def last(history, name):
    for h in reversed(history):
        if h["tool"] == name:
            return h["output"]
    return None


def parse(question):
    m = QUESTION.match(question or "")
    if not m or m.group("op").lower() not in SYNONYMS:
        return None
    q = {"op": SYNONYMS[m.group("op").lower()], "column": m.group("column"), "where": None}
    if m.group("wcol"):
        q["where"] = {"column": m.group("wcol"), "equals": m.group("wval").strip().strip("\"'")}
    return q


def match_column(name, columns):
    for c in columns:
        if c.lower() == name.lower():
            return c
    return None


def next_action(task, history):
    question = parse(task.get("question"))
    if question is None:
        return answer(None, f"cannot parse the question {task.get('question')!r}; ask 'What is the <statistic> of <column>?'")

    listing = last(history, "list_files")
    if listing is None:
        return tool("list_files", dir="data")
    path = task.get("file")
    if path is None:
        csvs = [f["path"] for f in listing.get("files", []) if f["path"].lower().endswith(".csv")]
        if not csvs:
            return answer(None, "there is no CSV file under /artha/in/data")
        path = csvs[0]

    described = last(history, "csv_columns")
    if described is None:
        return tool("csv_columns", path=path)
    if "error" in described:
        return answer(None, f"cannot read {path}: {described['error']}")
    columns = described["columns"]
    column = match_column(question["column"], columns)
    if column is None:
        return answer(None, f"{path} has no column {question['column']!r} (columns: {', '.join(columns)})")
    where = question["where"]
    if where is not None:
        wcol = match_column(where["column"], columns)
        if wcol is None:
            return answer(None, f"{path} has no column {where['column']!r} (columns: {', '.join(columns)})")
        where = {"column": wcol, "equals": where["equals"]}

    stats = last(history, "csv_stats")
    if stats is None:
        args = {"path": path, "column": column, "op": question["op"]}
        if where is not None:
            args["where"] = where
        return tool("csv_stats", **args)
    if "error" in stats:
        return answer(None, f"cannot compute the {question['op']} of {column}: {stats['error']}")
    value = stats["value"]
    scope = f" where {where['column']} is {where['equals']}" if where else ""
    summary = f"the {question['op']} of {column}{scope} over {stats['rows']} rows of {path}"

    url = task.get("convertUrl")
    if not url:
        return answer(value, f"{summary} is {value}", rows=stats["rows"])
    fetched = last(history, "http_get")
    if fetched is None:
        return tool("http_get", url=url)
    if fetched.get("refused"):
        return answer(value, f"{summary} is {value} (not converted: {fetched['reason']})", rows=stats["rows"], converted=False)
    try:
        rate = float(json.loads(fetched["body"])["rate"])
    except (KeyError, TypeError, ValueError):
        return answer(value, f"{summary} is {value} (not converted: {url} gave no usable rate)", rows=stats["rows"], converted=False)
    return answer(value * rate, f"{summary} is {value}, times rate {rate}", rows=stats["rows"], converted=True, rate=rate)
