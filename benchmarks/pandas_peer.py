#!/usr/bin/env python3
"""Peer benchmark: the report's core KPIs computed idiomatically in pandas over the demo's canonical CSVs.

Usage: python3 benchmarks/pandas_peer.py DATA_DIR [--year 2025] [--as-of 2026-06-01] [--runs 3]

DATA_DIR is the folder `saleskpi demo --out DIR` writes (leads-*.csv, deals-*.csv, ...). Times are local
wall-clock times of the workspace zone, so calendar months of the naive timestamps are the report's buckets.
Parsing is timed apart; the figure to compare with SalesKpi's in-process full report is the compute time on
frames already parsed in memory (median of --runs), printed with the process's peak memory.
Each KPI is computed per month of the year, in total and by channel, with the catalogue's default parameters.
"""
import argparse
import glob
import os
import resource
import time

import pandas as pd

SQL_WINDOW_DAYS = 30
WIN_WINDOW_DAYS = 180


def read(data, entity, dates):
    files = sorted(glob.glob(os.path.join(data, f"{entity}-*.csv")) + glob.glob(os.path.join(data, f"{entity}.csv")))
    frame = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[""]) for f in files], ignore_index=True)
    for c in dates:
        frame[c] = pd.to_datetime(frame[c], infer_datetime_format=True)
    return frame


def by_month_and_channel(frame, when, value, how):
    """The aggregate of `value` per month of `when`, total (channel '') and per channel."""
    month = frame[when].dt.month.rename("month")  # one year: the month number is the bucket
    total = frame.groupby(month)[value].agg(how).to_frame().assign(channel="")
    sliced = frame.groupby([month, frame["channel"].fillna("(none)")])[value].agg(how).reset_index(level=1)
    return pd.concat([total, sliced])


def compute(f, year, as_of):
    start, end = pd.Timestamp(f"{year}-01-01"), pd.Timestamp(f"{year + 1}-01-01")
    leads, deals, acts, spend, customers, nps = f["leads"], f["deals"], f["activities"], f["spend"], f["customers"], f["nps"]
    out = {}

    cohort = leads[(leads.created_at >= start) & (leads.created_at < end) & (leads.created_at <= as_of)].copy()
    cohort["one"] = 1
    out["leads"] = by_month_and_channel(cohort, "created_at", "one", "sum")

    q = cohort.qualified_at.where(cohort.qualified_at <= as_of)
    cohort["to_sql"] = ((q - cohort.created_at).dt.total_seconds() <= SQL_WINDOW_DAYS * 86400).astype(int)
    out["lead_to_sql_rate"] = by_month_and_channel(cohort, "created_at", "to_sql", "mean")

    # First answer: the recorded first response or the first outbound activity at or after creation, up to as-of.
    a = acts[(acts.occurred_at <= as_of) & (acts.direction.fillna("") != "inbound")].merge(
        cohort[["lead_id", "created_at"]], on="lead_id")
    first = a[a.occurred_at >= a.created_at].groupby("lead_id").occurred_at.min().rename("first_activity")
    cohort = cohort.merge(first, left_on="lead_id", right_index=True, how="left")
    answered = pd.concat([cohort.first_response_at.where(cohort.first_response_at <= as_of), cohort.first_activity], axis=1).min(axis=1)
    cohort["response_hours"] = ((answered - cohort.created_at).dt.total_seconds() / 3600).clip(lower=0)
    out["lead_response_time"] = by_month_and_channel(cohort, "created_at", "response_hours", "median")

    won_at = deals[(deals.status == "won") & (deals.closed_at <= as_of)].groupby("lead_id").closed_at.min()
    cohort = cohort.merge(won_at.rename("won_at"), left_on="lead_id", right_index=True, how="left")
    cohort["to_win"] = ((cohort.won_at - cohort.created_at).dt.total_seconds() <= WIN_WINDOW_DAYS * 86400).astype(int)
    out["lead_to_win_rate"] = by_month_and_channel(cohort, "created_at", "to_win", "mean")

    s = spend[(spend.date >= start) & (spend.date < end)].copy()
    s["amount"] = s.amount.astype(float)
    spent = by_month_and_channel(s, "date", "amount", "sum")
    out["cost_per_lead"] = spent.set_index("channel", append=True).amount / out["leads"].set_index("channel", append=True).one

    lead_channel = leads[leads.created_at <= as_of][["lead_id", "channel"]]
    closed = deals[(deals.closed_at >= start) & (deals.closed_at < end) & (deals.closed_at <= as_of) & deals.status.isin(["won", "lost"])]
    closed = closed.merge(lead_channel, on="lead_id", how="left")
    closed["won"] = (closed.status == "won").astype(int)
    out["win_rate"] = by_month_and_channel(closed, "closed_at", "won", "mean")

    won = closed[closed.status == "won"].copy()
    won["amount"] = won.amount.astype(float)
    same_currency = won[won.currency.fillna("RUB") == "RUB"]
    out["average_deal_size"] = by_month_and_channel(same_currency, "closed_at", "amount", "mean")
    won["cycle_days"] = (won.closed_at - won.created_at).dt.total_seconds() / 86400
    out["sales_cycle_length"] = by_month_and_channel(won, "closed_at", "cycle_days", "mean")

    touches = acts[acts.type.isin(["call", "meeting"]) & (acts.occurred_at <= as_of)].groupby("deal_id").size().rename("touches")
    won = won.merge(touches, left_on="deal_id", right_index=True, how="left").fillna({"touches": 0})
    out["activities_per_deal"] = by_month_and_channel(won, "closed_at", "touches", "mean")

    acquired = customers[(customers.acquired_at >= start) & (customers.acquired_at < end) & (customers.acquired_at <= as_of)].copy()
    acquired["one"] = 1
    out["customer_acquisition_cost"] = spent.set_index("channel", append=True).amount / by_month_and_channel(acquired, "acquired_at", "one", "sum").set_index("channel", append=True).one

    answers = nps[(nps.responded_at >= start) & (nps.responded_at < end) & (nps.responded_at <= as_of)].merge(
        customers[["customer_id", "channel"]], on="customer_id", how="left")
    score = answers.score.astype(int)
    answers["nps"] = (score >= 9).astype(int) * 100 - (score <= 6).astype(int) * 100
    out["nps"] = by_month_and_channel(answers, "responded_at", "nps", "mean")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--as-of", default="2026-06-01")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    t = time.perf_counter()
    frames = {
        "leads": read(args.data, "leads", ["created_at", "first_response_at", "qualified_at", "disqualified_at"]),
        "deals": read(args.data, "deals", ["created_at", "closed_at"]),
        "activities": read(args.data, "activities", ["occurred_at"]),
        "spend": read(args.data, "spend", ["date"]),
        "customers": read(args.data, "customers", ["acquired_at", "churned_at"]),
        "nps": read(args.data, "nps", ["responded_at"]),
    }
    parse = time.perf_counter() - t
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        out = compute(frames, args.year, pd.Timestamp(args.as_of))
        times.append(time.perf_counter() - t)
    times.sort()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pandas {pd.__version__}: {len(frames['leads']):,} leads; parse {parse:.2f} s; "
          f"{len(out)} KPIs x months x (total + channel): median {times[len(times) // 2]:.2f} s "
          f"(min {times[0]:.2f}, max {times[-1]:.2f}, {args.runs} runs); peak memory {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
