using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Contracts;

/// <summary>The report's machine-readable output, the contract documented in docs/cli.md: JSON and CSV.</summary>
public static class ReportOutput
{
    /// <summary>Writes the report as the JSON contract documented in docs/cli.md, its reasons and notes in <paramref name="language"/>.</summary>
    public static string Json(KpiReport report, Language language)
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
                JsonOut.Slice(w, r.Slice);
                JsonOut.Result(w, r, language);

                w.WriteEndObject();
            }

            w.WriteEndArray();
            JsonOut.Notes(w, report.Notes, language);
            w.WriteEndObject();
        });
    }

    /// <summary>Writes one CSV row per result (invariant culture; details as JSON; the reason in <paramref name="language"/>) through the shared <see cref="CsvOut"/>.</summary>
    public static string Csv(KpiReport report, Language language)
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
                CsvCell.Number(r.Ci95?.Low), CsvCell.Number(r.Ci95?.High), CsvCell.Text(string.Join(";", r.Flags)), CsvCell.Text(r.Reason?.Render(language)), CsvCell.Text(details));
        }

        return csv.ToString();
    }
}
