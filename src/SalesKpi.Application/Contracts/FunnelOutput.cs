using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Contracts;

/// <summary>The funnel's machine-readable output (docs/cli.md): JSON and CSV.</summary>
public static class FunnelOutput
{
    /// <summary>The funnel as the JSON contract of docs/cli.md.</summary>
    public static string Json(FunnelReport f)
    {
        return JsonOut.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("as_of", f.AsOfUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            w.WriteString("period", f.Period.Label);
            w.WriteStartArray("stages");
            foreach (var s in f.Stages)
            {
                w.WriteStringValue(s);
            }

            w.WriteEndArray();
            WriteSteps(w, "steps", f.Steps, f.Stages);
            if (f.By is not null)
            {
                w.WriteString("by", f.By);
                w.WriteStartArray("slices");
                foreach (var (value, steps) in f.Slices)
                {
                    w.WriteStartObject();
                    w.WriteString("value", value);
                    WriteSteps(w, "steps", steps, f.Stages);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteStartArray("stalled");
            foreach (var d in f.Stalled)
            {
                w.WriteStartObject();
                w.WriteString("deal_id", d.DealId);
                w.WriteString("owner", d.Owner);
                w.WriteString("stage", d.Stage);
                w.WriteNumber("days", Math.Round(d.Days, 4));
                w.WriteNumber("stage_p90_days", Math.Round(d.StageP90Days, 4));
                JsonOut.Number(w, "amount", d.Amount);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static void WriteSteps(Utf8JsonWriter w, string name, IEnumerable<FunnelStep> steps, ImmutableArray<string> stages)
    {
        w.WriteStartArray(name);
        foreach (var s in steps)
        {
                w.WriteStartObject();
                w.WriteString("step", s.Name);
                w.WriteString("section", s.Section);
                w.WriteNumber("count", s.Count);
                JsonOut.Number(w, "step_conversion", s.StepConversion);
                if (s.StepCi95 is { } ci)
                {
                    w.WriteStartArray("ci95");
                    w.WriteNumberValue(JsonOut.Round(ci.Low));
                    w.WriteNumberValue(JsonOut.Round(ci.High));
                    w.WriteEndArray();
                }

                JsonOut.Number(w, "cumulative_conversion", s.CumulativeConversion);
                w.WriteNumber("lost", s.Lost);
                w.WriteNumber("lost_value", s.LostValue);
                w.WriteNumber("lost_with_amount", s.LostWithAmount);
                JsonOut.Number(w, "median_days", s.MedianDays);
                JsonOut.Number(w, "p90_days", s.P90Days);
                if (stages.Contains(s.Name) && s.Section == "deals")
                {
                    JsonOut.Number(w, "days_in_stage_median", s.DaysInStageMedian);
                    JsonOut.Number(w, "days_in_stage_p90", s.DaysInStageP90);
                    JsonOut.Number(w, "revenue_at_stake", s.RevenueAtStake);
                    w.WriteNumber("stalled", s.Stalled);
                }

                w.WriteEndObject();
            }


        w.WriteEndArray();
    }

    // The total's steps, then every slice's (slice "channel=referral", as in the report's CSV; empty for the total).
    /// <summary>The funnel as CSV: the total's steps, then every slice's.</summary>
    public static string Csv(FunnelReport f)
    {
        var csv = new CsvOut("slice", "section", "step", "count", "step_conversion", "ci95_low", "ci95_high", "cumulative_conversion", "lost", "lost_value", "median_days", "p90_days", "days_in_stage_median", "days_in_stage_p90", "revenue_at_stake", "stalled");
        var groups = new[] { (Slice: string.Empty, Steps: (IEnumerable<FunnelStep>)f.Steps) }
            .Concat(f.By is null ? [] : f.Slices.Select(kv => (Slice: $"{f.By}={kv.Key}", Steps: (IEnumerable<FunnelStep>)kv.Value)));
        foreach (var (slice, steps) in groups)
        {
            foreach (var s in steps)
            {
                csv.Row(
                    CsvCell.Text(slice), CsvCell.Text(s.Section), CsvCell.Text(s.Name), CsvCell.Integer(s.Count), CsvCell.Number(s.StepConversion), CsvCell.Number(s.StepCi95?.Low), CsvCell.Number(s.StepCi95?.High),
                    CsvCell.Number(s.CumulativeConversion), CsvCell.Integer(s.Lost), CsvCell.Number(s.LostValue), CsvCell.Number(s.MedianDays), CsvCell.Number(s.P90Days),
                    CsvCell.Number(s.DaysInStageMedian), CsvCell.Number(s.DaysInStageP90), CsvCell.Number(s.RevenueAtStake), CsvCell.Integer(s.Stalled));
            }
        }

        return csv.ToString();
    }
}
