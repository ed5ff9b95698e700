using System.Globalization;
using System.Text.Json;
using SalesKpi.Core;
using SalesKpi.Metrics.Analyses;

namespace SalesKpi.Application.Contracts;

/// <summary>The forecast and its backtest as the JSON and CSV contracts of docs/cli.md: the writers every host shares.</summary>
public static class ForecastOutput
{
    /// <summary>The forecast as JSON; <c>reason</c> instead of <c>total</c> when there is no history.</summary>
    public static string Json(ForecastReport f, string currency, Language language)
    {
        ArgumentNullException.ThrowIfNull(f);
        return JsonOut.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("period", f.Period.Label);
            w.WriteString("as_of", f.AsOfUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            w.WriteString("currency", currency);
            if (f.Options.By is { } by)
            {
                w.WriteString("by", by);
            }
            else
            {
                w.WriteNull("by");
            }

            w.WriteNumber("runs", f.Options.Runs);
            w.WriteNumber("seed", f.Options.Seed);
            JsonOut.Message(w, "reason", f.Reason, language);
            if (f.Total is { } total)
            {
                w.WritePropertyName("total");
                Slice(w, total);
            }
            else
            {
                w.WriteNull("total");
            }

            w.WriteStartArray("slices");
            foreach (var s in f.Slices)
            {
                Slice(w, s);
            }

            w.WriteEndArray();
            w.WriteStartArray("targets");
            foreach (var t in f.Targets)
            {
                w.WriteStartObject();
                w.WriteString("kind", t.Kind);
                JsonOut.Number(w, "target", t.Target);
                JsonOut.Number(w, "probability", t.Probability);
                JsonOut.Number(w, "pipeline_coverage", t.Coverage);
                JsonOut.Number(w, "gap", t.Gap);
                JsonOut.Number(w, "extra_deals", t.ExtraDeals);
                JsonOut.Number(w, "extra_leads", t.ExtraLeads);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            Deals(w, "top_deals", f.TopDeals);
            Deals(w, "slipping_deals", f.Slipping);
            JsonOut.Notes(w, f.Notes, language);
            w.WriteEndObject();
        });
    }

    /// <summary>The forecast as CSV: one row per total and slice with the parts and the intervals.</summary>
    public static string Csv(ForecastReport f, Language language)
    {
        ArgumentNullException.ThrowIfNull(f);
        var csv = new CsvOut(
            "period", "slice", "expected_deals", "deals80_low", "deals80_high", "deals95_low", "deals95_high",
            "expected_revenue", "revenue80_low", "revenue80_high", "revenue95_low", "revenue95_high",
            "won_deals", "won_revenue", "open_deals", "open_pipeline", "open_expected_deals", "open_expected_revenue", "new_expected_deals", "new_expected_revenue", "reason");
        if (f.Total is null)
        {
            csv.Row([CsvCell.Text(f.Period.Label), CsvCell.Empty, .. Enumerable.Repeat(CsvCell.Empty, 18), CsvCell.Text(f.Reason?.Render(language))]);
            return csv.ToString();
        }

        foreach (var s in (ForecastSlice[])[f.Total, .. f.Slices])
        {
            var (x, p) = (s.Figures, s.Parts);
            csv.Row(
                CsvCell.Text(f.Period.Label), CsvCell.Text(s.Value),
                CsvCell.Number(x.Deals), CsvCell.Number(x.Deals80.Low), CsvCell.Number(x.Deals80.High), CsvCell.Number(x.Deals95.Low), CsvCell.Number(x.Deals95.High),
                CsvCell.Number(x.Revenue), CsvCell.Number(x.Revenue80.Low), CsvCell.Number(x.Revenue80.High), CsvCell.Number(x.Revenue95.Low), CsvCell.Number(x.Revenue95.High),
                CsvCell.Integer(p.WonDeals), CsvCell.Number(p.WonRevenue), CsvCell.Integer(p.OpenDeals), CsvCell.Number(p.OpenPipeline),
                CsvCell.Number(p.OpenExpectedDeals), CsvCell.Number(p.OpenExpectedRevenue), CsvCell.Number(p.NewExpectedDeals), CsvCell.Number(p.NewExpectedRevenue), CsvCell.Empty);
        }

        return csv.ToString();
    }

    /// <summary>The backtest as JSON: per method its scores over the range, then per period each method's estimate and the actual.</summary>
    public static string BacktestJson(BacktestReport b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return JsonOut.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("at", b.At);
            w.WriteStartObject("methods");
            foreach (var s in b.Scores)
            {
                w.WriteStartObject(s.Method);
                w.WriteNumber("periods", s.Periods);
                JsonOut.Number(w, "mape", s.Mape);
                JsonOut.Number(w, "bias", s.Bias);
                JsonOut.Number(w, "coverage_80", s.Coverage80);
                JsonOut.Number(w, "coverage_95", s.Coverage95);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteStartArray("periods");
            foreach (var p in b.Periods)
            {
                w.WriteStartObject();
                w.WriteString("period", p.Period.Label);
                w.WriteString("as_of", p.AsOfUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                JsonOut.Number(w, "actual_revenue", p.ActualRevenue);
                w.WriteNumber("actual_deals", p.ActualDeals);
                foreach (var (method, e) in p.Methods.OrderBy(m => m.Key, StringComparer.Ordinal))
                {
                    w.WriteStartObject(method);
                    JsonOut.Number(w, "expected", e.Expected);
                    Interval(w, "interval_80", e.Interval80);
                    Interval(w, "interval_95", e.Interval95);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static void Slice(Utf8JsonWriter w, ForecastSlice s)
    {
        w.WriteStartObject();
        if (s.Value.Length > 0)
        {
            w.WriteString("value", s.Value);
        }

        var x = s.Figures;
        JsonOut.Number(w, "expected_deals", x.Deals);
        Interval(w, "deals_80", x.Deals80);
        Interval(w, "deals_95", x.Deals95);
        JsonOut.Number(w, "expected_revenue", x.Revenue);
        Interval(w, "revenue_80", x.Revenue80);
        Interval(w, "revenue_95", x.Revenue95);
        var p = s.Parts;
        w.WriteStartObject("parts");
        w.WriteStartObject("won");
        w.WriteNumber("deals", p.WonDeals);
        JsonOut.Number(w, "revenue", p.WonRevenue);
        w.WriteEndObject();
        w.WriteStartObject("open");
        w.WriteNumber("deals", p.OpenDeals);
        JsonOut.Number(w, "pipeline", p.OpenPipeline);
        JsonOut.Number(w, "expected_deals", p.OpenExpectedDeals);
        JsonOut.Number(w, "expected_revenue", p.OpenExpectedRevenue);
        w.WriteEndObject();
        w.WriteStartObject("new");
        JsonOut.Number(w, "expected_deals", p.NewExpectedDeals);
        JsonOut.Number(w, "expected_revenue", p.NewExpectedRevenue);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteNumber("pooled_deals", s.PooledDeals);
        w.WriteEndObject();
    }

    private static void Interval(Utf8JsonWriter w, string name, ForecastRange? r)
    {
        if (r is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartArray(name);
        w.WriteNumberValue(JsonOut.Round(r.Low));
        w.WriteNumberValue(JsonOut.Round(r.High));
        w.WriteEndArray();
    }

    private static void Deals(Utf8JsonWriter w, string name, IEnumerable<ForecastDeal> deals)
    {
        w.WriteStartArray(name);
        foreach (var d in deals)
        {
            w.WriteStartObject();
            w.WriteString("deal_id", d.DealId);
            if (d.Owner is null)
            {
                w.WriteNull("owner");
            }
            else
            {
                w.WriteString("owner", d.Owner);
            }

            w.WriteString("stage", d.Stage);
            JsonOut.Number(w, "days_in_stage", d.DaysInStage);
            JsonOut.Number(w, "stage_p90_days", d.StageP90Days);
            JsonOut.Number(w, "amount", d.Amount);
            w.WriteBoolean("amount_estimated", d.AmountEstimated);
            JsonOut.Number(w, "win_chance", d.WinChance);
            JsonOut.Number(w, "expected", d.Expected);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
