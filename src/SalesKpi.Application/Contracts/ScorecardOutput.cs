using System.Globalization;
using System.Text.Json;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Contracts;

/// <summary>The scorecard's machine-readable output (docs/kpi-system.md): JSON and CSV.</summary>
public static class ScorecardOutput
{
    /// <summary>The scorecard as the JSON document of docs/kpi-system.md (also what check --notify posts and snapshots store).</summary>
    public static string Json(ScorecardResult s) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("period", s.Period.Label);
        w.WriteString("as_of", s.AsOfUtc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        JsonOut.Number(w, "elapsed", s.Elapsed);
        if (s.Version is { } v)
        {
            w.WriteNumber("config_version", v.Number);
        }
        else
        {
            w.WriteNull("config_version");
        }

        w.WriteStartArray("by");
        s.By.ToList().ForEach(w.WriteStringValue);
        w.WriteEndArray();
        w.WriteStartObject("summary");
        foreach (var status in Enum.GetValues<TargetStatus>())
        {
            w.WriteNumber(TargetRules.Name(status), s.Rows.Count(r => r.Status == status));
        }

        if (s.Worst is { } worst)
        {
            w.WriteString("worst", TargetRules.Name(worst));
        }
        else
        {
            w.WriteNull("worst");
        }

        w.WriteEndObject();
        w.WriteStartArray("kpis");
        foreach (var r in s.Rows)
        {
            w.WriteStartObject();
            w.WriteString("kpi", r.Kpi.Id);
            w.WriteString("name", r.Kpi.Def.Name);
            w.WriteString("unit", JsonNamingPolicy.SnakeCaseLower.ConvertName(r.Kpi.Def.Unit.ToString()));
            w.WriteString("direction", r.Kpi.Def.Direction.ToString().ToLowerInvariant());
            w.WriteStartObject("slice");
            foreach (var (k, val) in r.Result.Slice)
            {
                w.WriteString(k, val);
            }

            w.WriteEndObject();
            JsonOut.Number(w, "value", r.Result.Value);
            w.WriteNumber("n", r.Result.N);
            JsonOut.Number(w, "projected", r.Projected);
            JsonOut.Number(w, "target", r.Target?.Value);
            JsonOut.Number(w, "tolerance", r.Target?.TolerancePercent);
            w.WriteString("status", TargetRules.Name(r.Status));
            w.WriteStartArray("flags");
            r.Result.Flags.ToList().ForEach(w.WriteStringValue);
            w.WriteEndArray();
            if (r.Result.Reason is { } reason)
            {
                w.WriteString("reason", reason);
            }
            else
            {
                w.WriteNull("reason");
            }

            Change(w, "vs_previous", r.VsPrevious);
            Change(w, "vs_year_before", r.VsYearBefore);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("goals");
        foreach (var g in s.Goals)
        {
            w.WriteStartObject();
            w.WriteString("id", g.Goal.Id);
            w.WriteString("title", g.Goal.Title.In(Loc.Current));
            if (g.Goal.Horizon is { } horizon)
            {
                w.WriteString("horizon", horizon);
            }
            else
            {
                w.WriteNull("horizon");
            }

            JsonOut.Number(w, "attainment", g.Attainment);
            w.WriteNumber("on_track", g.OnTrack);
            w.WriteNumber("with_target", g.WithTarget);
            w.WriteNumber("linked", g.Goal.Kpis.Length);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("notes");
        s.Notes.ToList().ForEach(w.WriteStringValue);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>The scorecard as CSV, one row per KPI and slice.</summary>
    public static string Csv(ScorecardResult s)
    {
        var csv = new CsvOut("period", "kpi", "slice", "value", "n", "projected", "target", "tolerance", "status", "previous", "delta_previous", "p_previous", "year_before", "delta_year_before", "p_year_before");
        foreach (var r in s.Rows)
        {
            csv.Row(
                CsvCell.Text(s.Period.Label), CsvCell.Text(r.Kpi.Id), CsvCell.Text(SystemValues.SliceKey(r.Result.Slice)), CsvCell.Number(r.Result.Value), CsvCell.Integer(r.Result.N),
                CsvCell.Number(r.Projected), CsvCell.Number(r.Target?.Value), CsvCell.Number(r.Target?.TolerancePercent), CsvCell.Text(TargetRules.Name(r.Status)),
                CsvCell.Number(r.VsPrevious.Before), CsvCell.Number(r.VsPrevious.Delta), CsvCell.Number(r.VsPrevious.PValue),
                CsvCell.Number(r.VsYearBefore.Before), CsvCell.Number(r.VsYearBefore.Delta), CsvCell.Number(r.VsYearBefore.PValue));
        }

        return csv.ToString();
    }

    private static void Change(Utf8JsonWriter w, string name, Change c)
    {
        w.WriteStartObject(name);
        w.WriteString("period", c.Period.Label);
        JsonOut.Number(w, "value", c.Before);
        JsonOut.Number(w, "delta", c.Delta);
        if (c.PValue is { } p)
        {
            w.WriteNumber("p_value", Math.Round(p, 6));
            w.WriteBoolean("significant", c.Significant == true);
        }
        else
        {
            w.WriteNull("p_value");
            w.WriteNull("significant");
            if (c.NotTestedReason is { } why)
            {
                w.WriteString("not_tested", why);
            }
        }

        w.WriteEndObject();
    }
}
