using System.Globalization;
using System.Text;
using System.Text.Json;
using SalesKpi.Application.Contracts;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using Spectre.Console;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Cli.Commands;

/// <summary>Formats KPI values for people (by unit, in the display culture) and for machines (JSON, CSV, invariant).</summary>
internal static class KpiFormat
{
    /// <summary>A value formatted by its unit; "—" for null.</summary>
    public static string Value(KpiDef kpi, decimal? value, string currency) => KpiDisplay.Value(kpi, value, currency, Loc.Current);

    /// <summary>
    /// A plain number for people (formula parts, details): the display culture's digit grouping and at most four
    /// decimals, trailing zeros of the fraction dropped — never digits of the integer part (228, 790, 0.5, 1,234.5679).
    /// </summary>
    public static string Number(decimal d) => KpiDisplay.Number(d, Loc.Current);

    /// <summary>A fraction as a percentage with one decimal.</summary>
    public static string Percent(decimal fraction) => KpiDisplay.Percent(fraction, Loc.Current);

    /// <summary>The 95 % interval formatted like the value; empty when there is none.</summary>
    public static string Interval(KpiDef kpi, Interval? ci, string currency) =>
        ci is null ? string.Empty : $"{Value(kpi, ci.Low, currency)} – {Value(kpi, ci.High, currency)}";

    /// <summary>The slice as <c>dim=value, …</c>; the word "total" for the total.</summary>
    public static string Slice(KpiResult r) => Slice(r.Slice);

    /// <summary>A slice as <c>dim=value, …</c>; the word "total" for an empty one.</summary>
    public static string Slice(IReadOnlyDictionary<string, string> slice) =>
        slice.Count == 0 ? Loc.T("total", "итого") : string.Join(", ", slice.Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>A change from <paramref name="before"/> to <paramref name="after"/> as coloured markup: percentage points for ratios, points for NPS, percent otherwise; green when better given the KPI's direction.</summary>
    public static string Change(KpiDef kpi, decimal? before, decimal? after)
    {
        if (KpiDisplay.Change(kpi, before, after, Loc.Current) is not { } text)
        {
            return "—";
        }

        var delta = after!.Value - before!.Value;
        var colour = KpiDisplay.Better(kpi, before, after) switch
        {
            true => "green",
            false => "red",
            null => "grey",
        };
        var arrow = delta > 0 ? "▲" : delta < 0 ? "▼" : "=";
        return $"[{colour}]{arrow} {Markup.Escape(text)}[/]";
    }
}
