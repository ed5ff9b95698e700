using System.Globalization;
using System.Text.Json;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Contracts;

/// <summary>diagnosis as the JSON contract of docs/cli.md: the writer every host shares.</summary>
public static class DiagnoseOutput
{
    /// <summary>The diagnosis as the JSON contract of docs/cli.md, its texts and reasons in <paramref name="language"/>.</summary>
    public static string Json(DiagnoseReport r, Language language)
    {
        return JsonOut.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("period", r.After.Label);
            w.WriteString("compared_with", r.Before.Label);
            w.WriteStartArray("findings");
            foreach (var f in r.Findings)
            {
                w.WriteStartObject();
                w.WriteString("kpi", f.Kpi);
                if (f.Stage is not null)
                {
                    w.WriteString("stage", f.Stage);
                }

                JsonOut.Number(w, "before", f.Before);
                JsonOut.Number(w, "after", f.After);
                w.WriteNumber("p_value", Math.Round(f.PValue, 6));
                w.WriteString("test", f.Test);
                w.WriteString("direction", f.Better switch { true => "better", false => "worse", _ => "neutral" });
                if (f.Driver is { } d)
                {
                    w.WriteStartObject("driver");
                    w.WriteString("dimension", d.Dimension);
                    w.WriteString("value", d.Value);
                    JsonOut.Number(w, "contribution", d.Contribution);
                    w.WriteEndObject();
                }

                JsonOut.Message(w, "text", f.Text, language);
                w.WriteString("drill", f.Drill);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("unchanged");
            foreach (var k in r.Unchanged)
            {
                w.WriteStringValue(k);
            }

            w.WriteEndArray();
            w.WriteStartArray("not_tested");
            foreach (var (k, why) in r.NotTested)
            {
                w.WriteStartObject();
                w.WriteString("kpi", k);
                JsonOut.Message(w, "reason", why, language);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
