using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Contracts;

/// <summary>
/// The views of an export as sheets (docs/export.md), shared by <c>saleskpi export</c> and the dashboard's xlsx
/// downloads. Values are those of the JSON documents (ratios as fractions, money as decimals), unrounded.
/// </summary>
public static class ExportSheets
{
    /// <summary>The scorecard: one row per KPI (and slice) with value, target, status and the two comparisons; KPI names in <paramref name="language"/>.</summary>
    public static Sheet Scorecard(ScorecardResult s, Language language)
    {
        ArgumentNullException.ThrowIfNull(s);
        SheetColumn[] columns =
        [
            Col("kpi", "KPI", "KPI", CellKind.Text), Col("name", "Name", "Название", CellKind.Text), Col("unit", "Unit", "Единица", CellKind.Text),
            Col("slice", "Slice", "Срез", CellKind.Text),
            Col("value", "Value", "Значение", CellKind.Number), Col("n", "n", "n", CellKind.Integer),
            Col("projected", "Projected", "Прогноз", CellKind.Number), Col("target", "Target", "Цель", CellKind.Number),
            Col("tolerance", "Tolerance, %", "Допуск, %", CellKind.Number), Col("status", "Status", "Статус", CellKind.Text),
            Col("previous_period", "Previous period", "Предыдущий период", CellKind.Text), Col("previous", "Previous value", "Значение в предыдущем", CellKind.Number),
            Col("delta_previous", "Change", "Изменение", CellKind.Number), Col("p_previous", "p-value", "p-значение", CellKind.Number),
            Col("year_before_period", "Year before", "Год назад", CellKind.Text), Col("year_before", "Value a year before", "Значение год назад", CellKind.Number),
            Col("delta_year_before", "Change on the year", "Изменение за год", CellKind.Number), Col("p_year_before", "p-value (year)", "p-значение (год)", CellKind.Number),
        ];
        return new Sheet("scorecard", Msg.Of("export.sheet.scorecard", "Scorecard", "Скоркард"), columns, s.Rows.Select(r => new object?[]
        {
            r.Kpi.Id, r.Kpi.Def.NameIn(language), UnitName(r.Kpi.Def.Unit), SystemValues.SliceKey(r.Result.Slice),
            r.Result.Value, r.Result.N, r.Projected, r.Target?.Value, r.Target?.TolerancePercent, TargetRules.Name(r.Status),
            r.VsPrevious.Period.Label, r.VsPrevious.Before, r.VsPrevious.Delta, r.VsPrevious.PValue,
            r.VsYearBefore.Period.Label, r.VsYearBefore.Before, r.VsYearBefore.Delta, r.VsYearBefore.PValue,
        }));
    }

    /// <summary>
    /// One KPI's trend: one row per bucket with the value (in the KPI's unit), n, the 95 % interval and the target in
    /// force for the bucket (the KPI page's trend).
    /// </summary>
    public static Sheet KpiTrend(KpiDef kpi, IEnumerable<(string Label, KpiResult? Result, decimal? Target)> points)
    {
        ArgumentNullException.ThrowIfNull(kpi);
        var kind = KindOf(kpi.Unit);
        SheetColumn[] columns =
        [
            Col("period", "Period", "Период", CellKind.Text), new(kpi.Id, kpi.Title, kind), Col("n", "n", "n", CellKind.Integer),
            Col("ci95_low", "95 % interval, low", "95 % интервал, от", kind), Col("ci95_high", "95 % interval, high", "95 % интервал, до", kind),
            Col("target", "Target", "Цель", kind),
        ];
        return new Sheet("trend", Msg.Of("export.sheet.trend", "Trend", "Динамика"), columns, points.Select(p => new object?[]
        {
            p.Label, p.Result?.Value, p.Result?.N, p.Result?.Ci95?.Low, p.Result?.Ci95?.High, p.Target,
        }));
    }

    /// <summary>
    /// A report as KPIs × periods: one row per period bucket, one column per KPI (so every column has one unit and
    /// one number format: percentages for ratios, money with two decimals), the bucket's partial flag beside it.
    /// </summary>
    public static Sheet Report(KpiReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var totals = report.Results.Where(r => r.IsTotal).ToList();
        var kpis = totals.Select(r => r.Kpi).DistinctBy(k => k.Id).ToList();
        var periods = totals.Select(r => r.Period).DistinctBy(p => p.Label).ToList();
        var byCell = totals.ToDictionary(r => (r.Period.Label, r.Kpi.Id));
        SheetColumn[] columns =
        [
            Col("period", "Period", "Период", CellKind.Text), Col("start", "Start", "Начало", CellKind.Date), Col("end", "End", "Конец", CellKind.Date),
            Col("partial", "Partial", "Неполный", CellKind.Text), .. kpis.Select(KpiColumn),
        ];
        return new Sheet("report", Msg.Of("export.sheet.report", "KPIs by period", "KPI по периодам"), columns, periods.Select(p => (object?[])
        [
            p.Label, p.Start, p.LastDay,
            kpis.Any(k => byCell.TryGetValue((p.Label, k.Id), out var r) && r.Flags.Contains("partial")) ? "partial" : null,
            .. kpis.Select(k => byCell.TryGetValue((p.Label, k.Id), out var r) ? (object?)r.Value : null),
        ]));
    }

    /// <summary>A report sliced by <paramref name="dimension"/> as slices × KPIs: one row per value of the dimension, one column per KPI sliced by it.</summary>
    public static Sheet Breakdown(KpiReport report, string dimension)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sliced = report.Results.Where(r => r.Slice.ContainsKey(dimension)).ToList();
        var kpis = sliced.Select(r => r.Kpi).DistinctBy(k => k.Id).ToList();
        var values = sliced.Select(r => r.Slice[dimension]).Distinct(StringComparer.Ordinal).ToList();
        var byCell = sliced.GroupBy(r => (r.Slice[dimension], r.Kpi.Id)).ToDictionary(g => g.Key, g => g.First());
        SheetColumn[] columns = [new(dimension, DimensionTitle(dimension), CellKind.Text), .. kpis.Select(KpiColumn)];
        return new Sheet("breakdown", Msg.Of("export.sheet.breakdown", "By {0}", "Разбивка — {0}", DimensionTitle(dimension)), columns, values.Select(v => (object?[])
        [
            v, .. kpis.Select(k => byCell.TryGetValue((v, k.Id), out var r) ? (object?)r.Value : null),
        ]));
    }

    /// <summary>The funnel's steps (the total; with a split, every slice's after it), with conversions as percentages.</summary>
    public static Sheet Funnel(FunnelReport f)
    {
        ArgumentNullException.ThrowIfNull(f);
        SheetColumn[] columns =
        [
            Col("slice", "Slice", "Срез", CellKind.Text), Col("section", "Section", "Раздел", CellKind.Text), Col("step", "Step", "Шаг", CellKind.Text),
            Col("count", "Reached", "Дошли", CellKind.Integer), Col("step_conversion", "Step conversion", "Конверсия шага", CellKind.Percent),
            Col("ci95_low", "95 % interval, low", "95 % интервал, от", CellKind.Percent), Col("ci95_high", "95 % interval, high", "95 % интервал, до", CellKind.Percent),
            Col("cumulative_conversion", "From start", "От начала", CellKind.Percent), Col("lost", "Lost here", "Потеряно", CellKind.Integer),
            Col("lost_value", "Lost amount", "Потерянная сумма", CellKind.Money), Col("median_days", "Median days from previous step", "Медиана дней от пред. шага", CellKind.Number),
            Col("p90_days", "p90 days from previous step", "p90 дней от пред. шага", CellKind.Number),
            Col("days_in_stage_median", "Median days in stage", "Медиана дней на этапе", CellKind.Number), Col("days_in_stage_p90", "p90 days in stage", "p90 дней на этапе", CellKind.Number),
            Col("revenue_at_stake", "Revenue at stake", "Выручка под угрозой", CellKind.Money), Col("stalled", "Stalled now", "Застряли сейчас", CellKind.Integer),
        ];
        var groups = new[] { (Slice: (string?)null, Steps: (IEnumerable<FunnelStep>)f.Steps) }
            .Concat(f.By is null ? [] : f.Slices.Select(kv => (Slice: (string?)$"{f.By}={kv.Key}", Steps: (IEnumerable<FunnelStep>)kv.Value)));
        return new Sheet("funnel", Msg.Of("export.sheet.funnel", "Funnel", "Воронка"), columns, groups.SelectMany(g => g.Steps.Select(s => new object?[]
        {
            g.Slice, s.Section, s.Name, s.Count, s.StepConversion, s.StepCi95?.Low, s.StepCi95?.High, s.CumulativeConversion, s.Lost, s.LostValue,
            s.MedianDays, s.P90Days, s.DaysInStageMedian, s.DaysInStageP90, s.RevenueAtStake, s.Stalled,
        })));
    }

    /// <summary>The kind of a KPI's column: percentages for ratios, money for money, whole numbers for counts.</summary>
    public static CellKind KindOf(KpiUnit unit) => unit switch
    {
        KpiUnit.Ratio => CellKind.Percent,
        KpiUnit.Money or KpiUnit.MoneyPerDay => CellKind.Money,
        KpiUnit.Count => CellKind.Integer,
        _ => CellKind.Number,
    };

    /// <summary>A dimension's name in both languages (the column of its values).</summary>
    public static Msg DimensionTitle(string dimension) => dimension switch
    {
        "channel" => Msg.Of("export.dim.channel", "Channel", "Канал"),
        "campaign" => Msg.Of("export.dim.campaign", "Campaign", "Кампания"),
        "owner" => Msg.Of("export.dim.owner", "Owner", "Ответственный"),
        "segment" => Msg.Of("export.dim.segment", "Segment", "Сегмент"),
        "region" => Msg.Of("export.dim.region", "Region", "Регион"),
        "industry" => Msg.Of("export.dim.industry", "Industry", "Отрасль"),
        "service_line" => Msg.Of("export.dim.service_line", "Service line", "Направление услуг"),
        _ => Msg.Of("export.dim.other", "{0}", "{0}", dimension),
    };

    internal static SheetColumn Col(string key, string en, string ru, CellKind kind) => new(key, Msg.Of("export.column." + key, en, ru), kind);

    private static SheetColumn KpiColumn(KpiDef k) => new(k.Id, k.Title, KindOf(k.Unit));

    private static string UnitName(KpiUnit unit) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(unit.ToString());
}
