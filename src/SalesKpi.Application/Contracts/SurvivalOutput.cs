using System.Globalization;
using System.Text.Json;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Contracts;

/// <summary>time-to-win analysis as the JSON contract of docs/cli.md: the writer every host shares.</summary>
public static class SurvivalOutput
{
    /// <summary>The time-to-win analysis as the JSON contract of docs/cli.md.</summary>
    public static string Json(SurvivalReport s)
    {
        return JsonOut.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("period", s.Period.Label);
            w.WriteNumber("won", s.Won);
            w.WriteNumber("open", s.Open);
            w.WriteNumber("lost", s.Lost);
            JsonOut.Number(w, "median_days", s.MedianDays);
            JsonOut.Number(w, "plain_mean_days", s.PlainMeanDays);
            JsonOut.Number(w, "plain_median_days", s.PlainMedianDays);
            w.WriteStartArray("curve");
            foreach (var (days, share) in s.Curve)
            {
                w.WriteStartObject();
                w.WriteNumber("days", days);
                JsonOut.Number(w, "won_share", share);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
