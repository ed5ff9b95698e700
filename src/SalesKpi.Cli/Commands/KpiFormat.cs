using System.Globalization;
using System.Text;
using System.Text.Json;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics;
using Spectre.Console;

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

    /// <summary>Writes the report as the JSON contract documented in docs/cli.md.</summary>
    public static string Json(KpiReport report)
    {
        return JsonOut.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("as_of", DateTime.SpecifyKind(report.AsOfUtc, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            w.WriteStartArray("results");
            foreach (var r in report.Results)
            {
                w.WriteStartObject();
                w.WriteString("kpi", r.Kpi.Id);
                w.WriteString("period", r.Period.Label);
                w.WriteString("start", r.Period.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                w.WriteString("end", r.Period.LastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                w.WriteStartObject("slice");
                foreach (var (k, v) in r.Slice)
                {
                    w.WriteString(k, v);
                }

                w.WriteEndObject();
                JsonOut.Number(w, "value", r.Value);
                w.WriteNumber("n", r.N);
                JsonOut.Number(w, "numerator", r.Numerator, omitWhenNull: true);
                JsonOut.Number(w, "denominator", r.Denominator, omitWhenNull: true);
                if (r.Ci95 is { } ci)
                {
                    w.WriteStartArray("ci95");
                    w.WriteNumberValue(JsonOut.Round(ci.Low));
                    w.WriteNumberValue(JsonOut.Round(ci.High));
                    w.WriteEndArray();
                }

                if (r.Details.Count > 0)
                {
                    w.WriteStartObject("details");
                    foreach (var (k, v) in r.Details)
                    {
                        JsonOut.Number(w, k, v);
                    }

                    w.WriteEndObject();
                }

                if (r.Flags.Length > 0)
                {
                    w.WriteStartArray("flags");
                    foreach (var f in r.Flags)
                    {
                        w.WriteStringValue(f);
                    }

                    w.WriteEndArray();
                }

                if (r.Reason is not null)
                {
                    w.WriteString("reason", r.Reason);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("notes");
            foreach (var n in report.Notes)
            {
                w.WriteStringValue(n);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>Writes one CSV row per result (invariant culture; details as JSON) through the shared <see cref="CsvOut"/>.</summary>
    public static string Csv(KpiReport report)
    {
        var csv = new CsvOut("kpi", "period", "start", "end", "slice", "value", "n", "numerator", "denominator", "ci95_low", "ci95_high", "flags", "reason", "details");
        foreach (var r in report.Results)
        {
            var details = r.Details.Count == 0 ? string.Empty : "{" + string.Join(",", r.Details.Select(d => $"\"{d.Key}\":{(d.Value is { } v ? JsonOut.Round(v).ToString(CultureInfo.InvariantCulture) : "null")}")) + "}";
            csv.Row(
                CsvCell.Text(r.Kpi.Id), CsvCell.Text(r.Period.Label),
                CsvCell.Text(r.Period.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), CsvCell.Text(r.Period.LastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                CsvCell.Text(string.Join(";", r.Slice.Select(kv => $"{kv.Key}={kv.Value}"))),
                CsvCell.Number(r.Value), CsvCell.Integer(r.N), CsvCell.Number(r.Numerator), CsvCell.Number(r.Denominator),
                CsvCell.Number(r.Ci95?.Low), CsvCell.Number(r.Ci95?.High), CsvCell.Text(string.Join(";", r.Flags)), CsvCell.Text(r.Reason), CsvCell.Text(details));
        }

        return csv.ToString();
    }

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
