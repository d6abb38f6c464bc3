#!/usr/bin/python3
"""Agreement check and results table of scripts/bench/run (run with /usr/bin/python3).

  report.py agree OUT LABEL
      Compares every tool's per-province net hectares of the agreement run (run 0) at size
      LABEL with clearcov's (--threads 2, else --threads 1); prints the comparison and appends
      "label tool max_rel verdict" rows to OUT/agree.tsv. Tolerance: 1e-6 relative.

  report.py table OUT LIMIT SIZE...
      Prints the markdown table from OUT/times.tsv, OUT/agree.tsv and OUT/notes.tsv.

  report.py stages OUT SIZE...
      Prints the markdown table of clearcov's stage times (-vv) and CPU times from
      OUT/stages.tsv: medians of the timed runs, seconds.
"""
import csv
import json
import math
import os
import statistics
import sys

TOL = 1e-6
ORDER = ["floor", "clearcov-t2", "clearcov-t1", "clearcov-gb-t2", "clearcov-gb-t1", "postgis",
         "postgis-tiled", "spatialite", "geopandas"]
GB = ("clearcov-gb-t2", "clearcov-gb-t1")  # the second region set: compared among themselves
NAMES = {
    "floor": "floor (OGR read only)",
    "clearcov-t2": "clearcov --threads 2",
    "clearcov-t1": "clearcov --threads 1",
    "clearcov-gb-t2": "clearcov --threads 2, geoBoundaries regions",
    "clearcov-gb-t1": "clearcov --threads 1, geoBoundaries regions",
    "postgis": "PostGIS plain",
    "postgis-tiled": "PostGIS tiled (ST_Subdivide)",
    "spatialite": "SpatiaLite (ogr2ogr -dialect SQLite)",
    "geopandas": "GeoPandas",
    "spatialite-geod": "SpatiaLite geometry, Karney area",
}


def label_count(label):
    if "e" in label:
        m, e = label.split("e")
        return int(m) * 10 ** int(e)
    return int(label)


def read_clearcov(path):
    with open(path) as f:
        d = json.load(f)
    return {r["name"]: r["net_ha"] for r in d["regions"]}


def read_csv(path):
    out = {}
    with open(path, newline="") as f:
        for row in csv.reader(f):
            if len(row) < 2 or row[0] == "name":
                continue
            out[row[0]] = float(row[1])
    return out


def reference(out, label):
    for t in ("clearcov-t2", "clearcov-t1"):
        p = os.path.join(out, f"{label}_{t}_0.json")
        if os.path.exists(p) and os.path.getsize(p) > 0:
            return t, p
    return None, None


def agree_gb(out, label):
    """The geoBoundaries runs: --threads 1 against --threads 2 (the figures must not depend on
    the thread count)."""
    paths = [os.path.join(out, f"{label}_{t}_0.json") for t in GB]
    if not all(os.path.exists(p) and os.path.getsize(p) > 0 for p in paths):
        return []
    same = open(paths[0], "rb").read() == open(paths[1], "rb").read()
    print(f"  {NAMES[GB[1]]} against {NAMES[GB[0]]}: "
          f"{'identical output' if same else 'DIFFERENT output'}")
    return [(GB[1], "0" if same else "nan", "identical" if same else "DISAGREES")]


def agree(out, label):
    ref_tool, ref_path = reference(out, label)
    rows = []
    if ref_tool is None:
        print(f"agreement at {label}: no clearcov result to compare with")
        return
    ref = read_clearcov(ref_path)
    print(f"agreement at {label}, per-province net ha against {NAMES[ref_tool]} "
          f"(tolerance {TOL:g} relative):")
    for tool in ORDER[2:] + ["spatialite-geod"]:
        if tool == ref_tool or tool in GB:
            continue
        ext = "json" if tool.startswith("clearcov") else "csv"
        p = os.path.join(out, f"{label}_{tool}_0.{ext}")
        if not os.path.exists(p):
            continue
        try:
            got = read_clearcov(p) if ext == "json" else read_csv(p)
        except (ValueError, json.JSONDecodeError, KeyError):
            got = {}
        if not got:
            print(f"  {NAMES[tool]}: no result (failed or over the time limit)")
            rows.append((tool, "nan", "none"))
            continue
        worst = 0.0
        lines = []
        for name, v in ref.items():
            g = got.get(name, float("nan"))
            rel = abs(g - v) / abs(v) if v else abs(g - v)
            if math.isnan(rel):
                rel = math.inf
            worst = max(worst, rel)
            lines.append(f"    {name}: clearcov {v:.6f} ha, {tool} {g:.6f} ha, "
                         f"relative difference {rel:.2e}")
        if tool.startswith("clearcov"):
            same = open(p, "rb").read() == open(ref_path, "rb").read()
            verdict = "identical" if same else ("agrees" if worst <= TOL else "DISAGREES")
            print(f"  {NAMES[tool]}: {'identical output' if same else f'max rel {worst:.2e}'}")
        else:
            verdict = "agrees" if worst <= TOL else "DISAGREES"
            print(f"  {NAMES[tool]}: max rel {worst:.2e} -> {verdict}")
        if verdict == "DISAGREES" or tool.startswith("spatialite"):
            print("\n".join(lines))
        rows.append((tool, f"{worst:.3e}", verdict))
    rows += agree_gb(out, label)
    with open(os.path.join(out, "agree.tsv"), "a") as f:
        for tool, rel, verdict in rows:
            f.write(f"{label}\t{tool}\t{rel}\t{verdict}\n")


def table(out, limit, sizes):
    times = {}
    with open(os.path.join(out, "times.tsv")) as f:
        for line in f:
            label, tool, run, wall, peak, status = line.rstrip("\n").split("\t")
            times.setdefault((label, tool), []).append((int(run), wall, peak, status))
    agreement = {}
    with open(os.path.join(out, "agree.tsv")) as f:
        for line in f:
            label, tool, rel, verdict = line.rstrip("\n").split("\t")
            agreement[(label, tool)] = (rel, verdict)
    notes = {}
    with open(os.path.join(out, "notes.tsv")) as f:
        for line in f:
            label, what, value = line.rstrip("\n").split("\t")
            notes[(label, what)] = value

    def summary(label, tool):
        runs = times.get((label, tool), [])
        timed = [r for r in runs if r[0] >= 1] or [r for r in runs if r[0] == 0]
        if not timed:
            return None
        if any(r[3] == "over" for r in timed):
            return ("over", None, None, len(timed))
        if any(r[3] != "ok" for r in timed):
            return ("failed", None, None, len(timed))
        wall = statistics.median(float(r[1]) for r in timed)
        peak = max(int(r[2]) for r in timed) / 1024
        return ("ok", wall, peak, len(timed))

    labels = []
    for s in sizes:
        n = label_count(s) if "e" in s or s.isdigit() else None
        lab = s
        if n is not None:  # normalise "100000" to "1e5" as run does
            m, e = n, 0
            while m >= 10 and m % 10 == 0:
                m, e = m // 10, e + 1
            lab = f"{m}e{e}" if e >= 3 else str(n)
        labels.append(lab)

    print("| size | tool | median wall (s) | peak memory (MB) | ratio to clearcov --threads 2 "
          "| agrees with clearcov (max rel. diff., per-province net ha) |")
    print("|---|---|---:|---:|---:|---|")
    extra = []
    for label in labels:
        base = summary(label, "clearcov-t2")
        base_wall = base[1] if base and base[0] == "ok" else None
        gb = summary(label, GB[0])
        gb_wall = gb[1] if gb and gb[0] == "ok" else None
        for tool in ORDER:
            s = summary(label, tool)
            if s is None:
                continue
            status, wall, peak, nruns = s
            if status == "over":
                wall_s, peak_s, ratio = f"over {limit} s", "–", (
                    f"> {float(limit) / base_wall:.0f}×" if base_wall else "–")
            elif status == "failed":
                wall_s, peak_s, ratio = "failed", "–", "–"
            else:
                wall_s, peak_s = f"{wall:.2f}", f"{peak:.0f}"
                ratio = f"{wall / base_wall:.2f}×" if base_wall else "–"
                if tool in GB:
                    ratio = f"{wall / gb_wall:.2f}× (of {NAMES[GB[0]]})" if gb_wall else "–"
            if tool in ("clearcov-t2", GB[0]):
                ratio = "1×"
            if tool == "floor":
                verdict = "– (reads only)"
            elif tool in ("clearcov-t2", GB[0]) or (tool == "clearcov-t1" and base is None):
                verdict = "reference" + (" for the geoBoundaries runs" if tool == GB[0] else "")
            else:
                rel, v = agreement.get((label, tool), ("nan", "not checked"))
                if v == "identical":
                    verdict = "identical output"
                elif v == "agrees":
                    verdict = f"yes, {float(rel):.1e}"
                elif v == "DISAGREES":
                    verdict = f"**NO, {float(rel):.1e}**"
                    geod = agreement.get((label, "spatialite-geod"))
                    if tool == "spatialite" and geod:
                        verdict += (f" (its ellipsoidal area; its geometry measured with "
                                    f"Karney: {float(geod[0]):.1e})")
                elif v == "none":
                    verdict = "not checked (no result)"
                else:
                    verdict = v
            name = NAMES[tool] + ("" if nruns > 1 else " (1 run)")
            print(f"| {label} | {name} | {wall_s} | {peak_s} | {ratio} | {verdict} |")
        fl, t1 = summary(label, "floor"), summary(label, "clearcov-t1")
        if base_wall and fl and fl[0] == "ok":
            extra.append(f"- {label}: clearcov --threads 2 takes {base_wall / fl[1]:.1f}× the "
                         f"read floor")
        if base_wall and t1 and t1[0] == "ok":
            extra.append(f"- {label}: speed-up of --threads 2 over --threads 1: "
                         f"{t1[1] / base_wall:.2f}×")
        gb1 = summary(label, GB[1])
        if gb_wall and gb1 and gb1[0] == "ok":
            extra.append(f"- {label}: speed-up of --threads 2 over --threads 1 with the "
                         f"geoBoundaries regions: {gb1[1] / gb_wall:.2f}×")
        if (label, "load-postgis") in notes:
            extra.append(f"- {label}: loading the set into PostGIS with ogr2ogr took "
                         f"{notes[(label, 'load-postgis')]} s (not in the table)")
    if extra:
        print()
        print("\n".join(extra))


def stages(out, sizes):
    """Median seconds of each stage clearcov reported, per size and clearcov run."""
    runs = {}
    order = []
    path = os.path.join(out, "stages.tsv")
    if not os.path.exists(path):
        return
    with open(path) as f:
        for line in f:
            label, tool, run, stage, secs = line.rstrip("\n").split("\t")
            runs.setdefault((label, tool, stage), []).append((int(run), float(secs)))
            if stage not in order:
                order.append(stage)
    order = [s for s in order if "CPU" not in s] + [s for s in order if "CPU" in s]
    print("Stages of clearcov (from -vv; wall seconds, medians of the timed runs) and its CPU "
          "time (GNU time):")
    print()
    print("| size | run | " + " | ".join(order) + " |")
    print("|---|---|" + "---:|" * len(order))
    labels = sorted({k[0] for k in runs}, key=label_count)
    for label in labels:
        for tool in ORDER:
            cells = []
            for stage in order:
                r = runs.get((label, tool, stage), [])
                timed = [v for n, v in r if n >= 1] or [v for n, v in r if n == 0]
                cells.append(f"{statistics.median(timed):.2f}" if timed else "–")
            if any(c != "–" for c in cells):
                print(f"| {label} | {NAMES[tool]} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "agree":
        agree(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 4 and sys.argv[1] == "table":
        table(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "stages":
        stages(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
