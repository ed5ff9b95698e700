using System.Collections.Immutable;

namespace SalesKpi.Core.Kpis;

/// <summary>The unit of a KPI value, which decides how it is formatted.</summary>
public enum KpiUnit
{
    /// <summary>A count of things.</summary>
    Count,

    /// <summary>Money in the workspace currency.</summary>
    Money,

    /// <summary>A score from 0 to 100.</summary>
    Score,

    /// <summary>A fraction in [0, 1]; shown as a percentage.</summary>
    Ratio,

    /// <summary>Hours (fractional).</summary>
    Hours,

    /// <summary>Days (fractional).</summary>
    Days,

    /// <summary>A count per deal.</summary>
    CountPerDeal,

    /// <summary>Money per day.</summary>
    MoneyPerDay,

    /// <summary>A Net Promoter Score from −100 to 100.</summary>
    Nps,

    /// <summary>A ratio of two values that is not a proportion (LTV / CAC); shown as a multiple.</summary>
    Multiple,
}

/// <summary>Which way a KPI improves.</summary>
public enum KpiDirection
{
    /// <summary>Higher is better.</summary>
    Higher,

    /// <summary>Lower is better.</summary>
    Lower,

    /// <summary>Neither is better in itself.</summary>
    Neutral,
}

/// <summary>One KPI of the catalogue: identity, names, unit, direction, the unit families it is computed from, its dimensions and parameters.</summary>
/// <param name="Number">Position in the specification (1–18).</param>
/// <param name="Id">Stable machine id, e.g. <c>win_rate</c>.</param>
/// <param name="NameEn">English name.</param>
/// <param name="NameRu">Russian name.</param>
/// <param name="Unit">Unit of the value.</param>
/// <param name="Direction">Which way is better.</param>
/// <param name="Dimensions">Dimensions the KPI has; slicing by any other is not applicable.</param>
/// <param name="Families">The unit families (leads cohort, deals closed, …) whose aggregates it is computed from.</param>
/// <param name="Parameters">Names of the <see cref="KpiParameters"/> that change its definition.</param>
public sealed record KpiDef(int Number, string Id, string NameEn, string NameRu, KpiUnit Unit, KpiDirection Direction, ImmutableArray<string> Dimensions, ImmutableArray<string> Families, ImmutableArray<string> Parameters)
{
    /// <summary>The name in the current language.</summary>
    public string Name => Loc.T(NameEn, NameRu);

    /// <summary>True when the value is a proportion that carries a Wilson interval.</summary>
    public bool IsProportion => Unit == KpiUnit.Ratio;
}

/// <summary>The 18 KPIs of the sales cycle, as specified in <c>kpis.md</c>.</summary>
public static class KpiCatalog
{
    /// <summary>Dimensions of lead-based KPIs.</summary>
    public static readonly ImmutableArray<string> LeadDimensions = ["channel", "campaign", "owner", "segment", "region", "industry"];

    /// <summary>Dimensions of spend-based KPIs.</summary>
    public static readonly ImmutableArray<string> SpendDimensions = ["channel", "campaign"];

    /// <summary>Dimensions of deal-based KPIs (channel is the channel of the deal's lead).</summary>
    public static readonly ImmutableArray<string> DealDimensions = ["owner", "service_line", "segment", "region", "channel"];

    /// <summary>Dimensions of customer-based KPIs and NPS.</summary>
    public static readonly ImmutableArray<string> CustomerDimensions = ["segment", "region", "channel"];

    /// <summary>Dimensions of acquisition-cost KPIs.</summary>
    public static readonly ImmutableArray<string> AcquisitionDimensions = ["channel"];

    /// <summary>All KPIs in specification order.</summary>
    public static readonly ImmutableArray<KpiDef> All =
    [
        new(1, "leads", "Number of leads", "Количество лидов", KpiUnit.Count, KpiDirection.Higher, LeadDimensions, ["leads"], []),
        new(2, "cost_per_lead", "Cost per lead (CPL)", "Стоимость лида (CPL)", KpiUnit.Money, KpiDirection.Lower, SpendDimensions, ["spend", "leads"], []),
        new(3, "lead_quality", "Lead quality", "Качество лидов", KpiUnit.Score, KpiDirection.Higher, LeadDimensions, ["leads"], ["quality_threshold", "quality_title_words", "quality_title_points", "quality_size_bands", "quality_need_points"]),
        new(4, "lead_to_sql_rate", "Lead → SQL conversion", "Конверсия лидов в SQL", KpiUnit.Ratio, KpiDirection.Higher, LeadDimensions, ["leads"], ["lead_to_sql_window_days"]),
        new(5, "lead_response_time", "Lead response time", "Время ответа на лид", KpiUnit.Hours, KpiDirection.Lower, LeadDimensions, ["leads"], ["response_sla_hours"]),
        new(6, "sql_to_opportunity_rate", "SQL → opportunity conversion", "Конверсия SQL в возможности", KpiUnit.Ratio, KpiDirection.Higher, LeadDimensions, ["sql"], ["sql_to_opportunity_window_days"]),
        new(7, "average_deal_size", "Average deal size", "Средний чек", KpiUnit.Money, KpiDirection.Higher, DealDimensions, ["deals_closed"], []),
        new(8, "sales_cycle_length", "Sales cycle length", "Длительность цикла продаж", KpiUnit.Days, KpiDirection.Lower, DealDimensions, ["deals_closed"], ["cycle_start"]),
        new(9, "win_rate", "Win rate", "Коэффициент закрытия сделок", KpiUnit.Ratio, KpiDirection.Higher, DealDimensions, ["deals_closed", "deals_created"], ["win_rate_basis"]),
        new(10, "activities_per_deal", "Meetings and calls per deal", "Встреч/звонков на сделку", KpiUnit.CountPerDeal, KpiDirection.Neutral, DealDimensions, ["deals_closed"], []),
        new(11, "customer_lifetime_value", "Customer lifetime value (LTV)", "Пожизненная ценность клиента (LTV)", KpiUnit.Money, KpiDirection.Higher, CustomerDimensions, ["customers", "revenue"], []),
        new(12, "retention_rate", "Retention rate", "Уровень удержания клиентов", KpiUnit.Ratio, KpiDirection.Higher, CustomerDimensions, ["customers"], []),
        new(13, "nps", "Net Promoter Score (NPS)", "Индекс потребительской лояльности (NPS)", KpiUnit.Nps, KpiDirection.Higher, CustomerDimensions, ["nps"], []),
        new(14, "sales_velocity", "Sales velocity", "Скорость продаж", KpiUnit.MoneyPerDay, KpiDirection.Higher, DealDimensions, ["deals_closed", "deals_created"], ["win_rate_basis", "cycle_start"]),
        new(15, "customer_acquisition_cost", "Customer acquisition cost (CAC)", "Стоимость привлечения клиента (CAC)", KpiUnit.Money, KpiDirection.Lower, AcquisitionDimensions, ["spend", "acquired"], []),
        new(16, "ltv_to_cac", "LTV / CAC", "LTV / CAC", KpiUnit.Multiple, KpiDirection.Higher, AcquisitionDimensions, ["customers", "revenue", "spend", "acquired"], []),
        new(17, "lead_to_win_rate", "Lead → won deal conversion", "Сквозная конверсия лид → сделка", KpiUnit.Ratio, KpiDirection.Higher, LeadDimensions, ["leads"], ["lead_to_win_window_days"]),
        new(18, "realized_lifetime_value", "Realized value of churned customers", "Фактическая ценность ушедшего клиента", KpiUnit.Money, KpiDirection.Higher, CustomerDimensions, ["customers"], []),
    ];

    /// <summary>Every dimension any KPI has.</summary>
    public static readonly ImmutableArray<string> AllDimensions = [.. All.SelectMany(k => k.Dimensions).Distinct()];

    /// <summary>Returns the KPI with that id (case-insensitive) or throws <see cref="SalesKpiException"/> listing the ids.</summary>
    public static KpiDef Get(string id) =>
        All.FirstOrDefault(k => string.Equals(k.Id, id.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new SalesKpiException(Loc.F("Unknown KPI '{0}': use one of {1}.", "Неизвестный KPI «{0}»: используйте один из {1}.", id, string.Join(", ", All.Select(k => k.Id))));

    /// <summary>Validates a dimension name or throws <see cref="SalesKpiException"/> listing the valid ones.</summary>
    public static string Dimension(string name)
    {
        var d = name.Trim().ToLowerInvariant();
        return AllDimensions.Contains(d)
            ? d
            : throw new SalesKpiException(Loc.F("Unknown dimension '{0}': use one of {1}.", "Неизвестное измерение «{0}»: используйте одно из {1}.", name, string.Join(", ", AllDimensions)));
    }
}
