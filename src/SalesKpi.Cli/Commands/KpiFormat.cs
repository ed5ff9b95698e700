using System.Globalization;
using System.Text;
using System.Text.Json;
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
    public static string Value(KpiDef kpi, decimal? value, string currency)
    {
        if (value is not { } v)
        {
            return "—";
        }

        var c = Loc.DisplayCulture;
        return kpi.Unit switch
        {
            KpiUnit.Count => v.ToString("N0", c),
            KpiUnit.Money => v.ToString("N2", c) + " " + currency,
            KpiUnit.MoneyPerDay => v.ToString("N2", c) + " " + currency + Loc.T("/day", "/день"),
            KpiUnit.Score => v.ToString("N1", c),
            KpiUnit.Ratio => Percent(v),
            KpiUnit.Hours => v.ToString("N2", c) + Loc.T(" h", " ч"),
            KpiUnit.Days => v.ToString("N1", c) + Loc.T(" d", " дн."),
            KpiUnit.CountPerDeal => v.ToString("N2", c),
            KpiUnit.Nps => v.ToString("+0.0;-0.0;0.0", c),
            KpiUnit.Multiple => v.ToString("N2", c) + "×",
            _ => v.ToString(c),
        };
    }

    /// <summary>
    /// A plain number for people (formula parts, details): the display culture's digit grouping and at most four
    /// decimals, trailing zeros of the fraction dropped — never digits of the integer part (228, 790, 0.5, 1,234.5679).
    /// </summary>
    public static string Number(decimal d) => d.ToString("#,##0.####", Loc.DisplayCulture);

    /// <summary>A fraction as a percentage with one decimal.</summary>
    public static string Percent(decimal fraction) => (fraction * 100).ToString("N1", Loc.DisplayCulture) + " %";

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
        if (before is not { } b || after is not { } a)
        {
            return "—";
        }

        var delta = a - b;
        string text;
        if (kpi.Unit is KpiUnit.Ratio)
        {
            text = (delta * 100).ToString("+0.0;-0.0;0.0", Loc.DisplayCulture) + Loc.T(" pp", " п.п.");
        }
        else if (kpi.Unit is KpiUnit.Nps)
        {
            text = delta.ToString("+0.0;-0.0;0.0", Loc.DisplayCulture);
        }
        else if (b != 0)
        {
            text = (delta / Math.Abs(b) * 100).ToString("+0.0;-0.0;0.0", Loc.DisplayCulture) + " %";
        }
        else
        {
            return "—";
        }

        var better = kpi.Direction switch
        {
            KpiDirection.Higher => delta > 0,
            KpiDirection.Lower => delta < 0,
            _ => (bool?)null,
        };
        var colour = delta == 0 || better is null ? "grey" : better.Value ? "green" : "red";
        var arrow = delta > 0 ? "▲" : delta < 0 ? "▼" : "=";
        return $"[{colour}]{arrow} {Markup.Escape(text)}[/]";
    }
}
