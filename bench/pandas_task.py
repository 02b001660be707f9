"""pandas_task.py TASK FILE - answer one benchmark task with pandas, print CSV.

Run by bench/run with a python3 that has pandas (Debian's python3-pandas).
"""
import sys

import pandas as pd


def main():
    task, path = sys.argv[1], sys.argv[2]
    out = sys.stdout
    csv_opts = dict(keep_default_na=False, na_values={"bytes": ["-", ""]})
    if task == "T1":
        df = pd.read_csv(path, usecols=["status"], **csv_opts)
        out.write("count\n%d\n" % len(df))
    elif task == "T2":
        df = pd.read_csv(path, usecols=["status", "bytes", "latency_ms"], **csv_opts)
        g = df.groupby("status")
        res = pd.DataFrame({"count": g.size(), "sum_bytes": g["bytes"].sum(min_count=1),
                            "mean_latency_ms": g["latency_ms"].mean()})
        res.to_csv(out)
    elif task == "T3":
        df = pd.read_csv(path, usecols=["host", "path", "status"], dtype={"host": str, "path": str},
                         **csv_opts)
        m = df["path"].str.startswith("/api/") & (df["status"] >= 500)
        df[m].groupby("host").size().rename("count").to_csv(out)
    elif task == "T4":
        df = pd.read_csv(path, usecols=["host", "path", "bytes"], dtype={"host": str, "path": str},
                         **csv_opts)
        g = df.groupby(["host", "path"])
        res = pd.DataFrame({"count": g.size(), "sum_bytes": g["bytes"].sum(min_count=1)})
        res.to_csv(out)
    elif task == "T5":
        df = pd.read_csv(path, usecols=["path", "status"], dtype={"path": str}, **csv_opts)
        df.to_csv(out, index=False)
    elif task == "T6":
        # ip ident user [time zone] "request" status bytes "referer" "agent"
        df = pd.read_csv(path, sep=" ", header=None, quotechar='"', escapechar="\\",
                         usecols=[6], names=list(range(10)), dtype=str, keep_default_na=False)
        df.groupby(6).size().rename("count").rename_axis("status").to_csv(out)
    else:
        sys.exit("pandas_task.py: unknown task " + task)


if __name__ == "__main__":
    main()
