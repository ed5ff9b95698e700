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

/// <summary>How a KPI's value is formed from its units; it decides how intervals and change tests apply.</summary>
public enum KpiFormula
{
    /// <summary>A number of units (a rate per day when periods are compared).</summary>
    Count,

    /// <summary>Units with a property ÷ all units: a binomial proportion with a Wilson interval.</summary>
    Proportion,

    /// <summary>The mean of a per-unit measure.</summary>
    Mean,

    /// <summary>The median of a per-unit measure.</summary>
    Median,

    /// <summary>(Promoters − detractors) ÷ answers × 100.</summary>
    NetScore,

    /// <summary>A sum over one family divided by a count of another (or of the same) family.</summary>
    Ratio,

    /// <summary>Computed from other KPIs' values.</summary>
    Derived,
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
    /// <summary>How the value is formed; a custom KPI takes its base KPI's (a custom ratio of two KPIs is <see cref="KpiFormula.Derived"/>).</summary>
    public KpiFormula Formula { get; init; } = KpiFormula.Derived;

    /// <summary>The name as a message (code <c>kpi.ID</c>), to pass as an argument of another message.</summary>
    public Msg Title => Msg.Of("kpi." + Id, NameEn, NameRu);

    /// <summary>The name in <paramref name="language"/>.</summary>
    public string NameIn(Language language) => language == Language.Ru ? NameRu : NameEn;

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

    /// <summary>KPI 1 of the specification, <c>leads</c>.</summary>
    public static readonly KpiDef Leads = new(1, "leads", "Number of leads", "Количество лидов", KpiUnit.Count, KpiDirection.Higher, LeadDimensions, ["leads"], []) { Formula = KpiFormula.Count };

    /// <summary>KPI 2 of the specification, <c>cost_per_lead</c>.</summary>
    public static readonly KpiDef CostPerLead = new(2, "cost_per_lead", "Cost per lead (CPL)", "Стоимость лида (CPL)", KpiUnit.Money, KpiDirection.Lower, SpendDimensions, ["spend", "leads"], []) { Formula = KpiFormula.Ratio };

    /// <summary>KPI 3 of the specification, <c>lead_quality</c>.</summary>
    public static readonly KpiDef LeadQuality = new(3, "lead_quality", "Lead quality", "Качество лидов", KpiUnit.Score, KpiDirection.Higher, LeadDimensions, ["leads"], ["quality_threshold", "quality_title_words", "quality_title_points", "quality_size_bands", "quality_need_points"]) { Formula = KpiFormula.Mean };

    /// <summary>KPI 4 of the specification, <c>lead_to_sql_rate</c>.</summary>
    public static readonly KpiDef LeadToSqlRate = new(4, "lead_to_sql_rate", "Lead → SQL conversion", "Конверсия лидов в SQL", KpiUnit.Ratio, KpiDirection.Higher, LeadDimensions, ["leads"], ["lead_to_sql_window_days"]) { Formula = KpiFormula.Proportion };

    /// <summary>KPI 5 of the specification, <c>lead_response_time</c>.</summary>
    public static readonly KpiDef LeadResponseTime = new(5, "lead_response_time", "Lead response time", "Время ответа на лид", KpiUnit.Hours, KpiDirection.Lower, LeadDimensions, ["leads"], ["response_sla_hours"]) { Formula = KpiFormula.Median };

    /// <summary>KPI 6 of the specification, <c>sql_to_opportunity_rate</c>.</summary>
    public static readonly KpiDef SqlToOpportunityRate = new(6, "sql_to_opportunity_rate", "SQL → opportunity conversion", "Конверсия SQL в возможности", KpiUnit.Ratio, KpiDirection.Higher, LeadDimensions, ["sql"], ["sql_to_opportunity_window_days"]) { Formula = KpiFormula.Proportion };

    /// <summary>KPI 7 of the specification, <c>average_deal_size</c>.</summary>
    public static readonly KpiDef AverageDealSize = new(7, "average_deal_size", "Average deal size", "Средний чек", KpiUnit.Money, KpiDirection.Higher, DealDimensions, ["deals_closed"], []) { Formula = KpiFormula.Mean };

    /// <summary>KPI 8 of the specification, <c>sales_cycle_length</c>.</summary>
    public static readonly KpiDef SalesCycleLength = new(8, "sales_cycle_length", "Sales cycle length", "Длительность цикла продаж", KpiUnit.Days, KpiDirection.Lower, DealDimensions, ["deals_closed"], ["cycle_start"]) { Formula = KpiFormula.Mean };

    /// <summary>KPI 9 of the specification, <c>win_rate</c>.</summary>
    public static readonly KpiDef WinRate = new(9, "win_rate", "Win rate", "Коэффициент закрытия сделок", KpiUnit.Ratio, KpiDirection.Higher, DealDimensions, ["deals_closed", "deals_created"], ["win_rate_basis"]) { Formula = KpiFormula.Proportion };

    /// <summary>KPI 10 of the specification, <c>activities_per_deal</c>.</summary>
    public static readonly KpiDef ActivitiesPerDeal = new(10, "activities_per_deal", "Meetings and calls per deal", "Встреч/звонков на сделку", KpiUnit.CountPerDeal, KpiDirection.Neutral, DealDimensions, ["deals_closed"], []) { Formula = KpiFormula.Mean };

    /// <summary>KPI 11 of the specification, <c>customer_lifetime_value</c>.</summary>
    public static readonly KpiDef CustomerLifetimeValue = new(11, "customer_lifetime_value", "Customer lifetime value (LTV)", "Пожизненная ценность клиента (LTV)", KpiUnit.Money, KpiDirection.Higher, CustomerDimensions, ["customers", "revenue"], []) { Formula = KpiFormula.Derived };

    /// <summary>KPI 12 of the specification, <c>retention_rate</c>.</summary>
    public static readonly KpiDef RetentionRate = new(12, "retention_rate", "Retention rate", "Уровень удержания клиентов", KpiUnit.Ratio, KpiDirection.Higher, CustomerDimensions, ["customers"], []) { Formula = KpiFormula.Proportion };

    /// <summary>KPI 13 of the specification, <c>nps</c>.</summary>
    public static readonly KpiDef Nps = new(13, "nps", "Net Promoter Score (NPS)", "Индекс потребительской лояльности (NPS)", KpiUnit.Nps, KpiDirection.Higher, CustomerDimensions, ["nps"], []) { Formula = KpiFormula.NetScore };

    /// <summary>KPI 14 of the specification, <c>sales_velocity</c>.</summary>
    public static readonly KpiDef SalesVelocity = new(14, "sales_velocity", "Sales velocity", "Скорость продаж", KpiUnit.MoneyPerDay, KpiDirection.Higher, DealDimensions, ["deals_closed", "deals_created"], ["win_rate_basis", "cycle_start"]) { Formula = KpiFormula.Derived };

    /// <summary>KPI 15 of the specification, <c>customer_acquisition_cost</c>.</summary>
    public static readonly KpiDef CustomerAcquisitionCost = new(15, "customer_acquisition_cost", "Customer acquisition cost (CAC)", "Стоимость привлечения клиента (CAC)", KpiUnit.Money, KpiDirection.Lower, AcquisitionDimensions, ["spend", "acquired"], []) { Formula = KpiFormula.Ratio };

    /// <summary>KPI 16 of the specification, <c>ltv_to_cac</c>.</summary>
    public static readonly KpiDef LtvToCac = new(16, "ltv_to_cac", "LTV / CAC", "LTV / CAC", KpiUnit.Multiple, KpiDirection.Higher, AcquisitionDimensions, ["customers", "revenue", "spend", "acquired"], []) { Formula = KpiFormula.Derived };

    /// <summary>KPI 17 of the specification, <c>lead_to_win_rate</c>.</summary>
    public static readonly KpiDef LeadToWinRate = new(17, "lead_to_win_rate", "Lead → won deal conversion", "Сквозная конверсия лид → сделка", KpiUnit.Ratio, KpiDirection.Higher, LeadDimensions, ["leads"], ["lead_to_win_window_days"]) { Formula = KpiFormula.Proportion };

    /// <summary>KPI 18 of the specification, <c>realized_lifetime_value</c>.</summary>
    public static readonly KpiDef RealizedLifetimeValue = new(18, "realized_lifetime_value", "Realized value of churned customers", "Фактическая ценность ушедшего клиента", KpiUnit.Money, KpiDirection.Higher, CustomerDimensions, ["customers"], []) { Formula = KpiFormula.Mean };

    /// <summary>All KPIs in specification order.</summary>
    public static readonly ImmutableArray<KpiDef> All =
    [
        Leads,
        CostPerLead,
        LeadQuality,
        LeadToSqlRate,
        LeadResponseTime,
        SqlToOpportunityRate,
        AverageDealSize,
        SalesCycleLength,
        WinRate,
        ActivitiesPerDeal,
        CustomerLifetimeValue,
        RetentionRate,
        Nps,
        SalesVelocity,
        CustomerAcquisitionCost,
        LtvToCac,
        LeadToWinRate,
        RealizedLifetimeValue,
    ];

    /// <summary>Every dimension any KPI has.</summary>
    public static readonly ImmutableArray<string> AllDimensions = [.. All.SelectMany(k => k.Dimensions).Distinct()];

    /// <summary>Returns the KPI with that id (case-insensitive) or throws <see cref="SalesKpiException"/> listing the ids.</summary>
    public static KpiDef Get(string id) =>
        All.FirstOrDefault(k => string.Equals(k.Id, id.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new SalesKpiException(Msg.Of("kpi.unknown", "Unknown KPI '{0}': use one of {1}.", "Неизвестный KPI «{0}»: используйте один из {1}.", id, string.Join(", ", All.Select(k => k.Id))));

    /// <summary>Validates a dimension name or throws <see cref="SalesKpiException"/> listing the valid ones.</summary>
    public static string Dimension(string name)
    {
        var d = name.Trim().ToLowerInvariant();
        return AllDimensions.Contains(d)
            ? d
            : throw new SalesKpiException(Msg.Of("kpi.unknown_dimension", "Unknown dimension '{0}': use one of {1}.", "Неизвестное измерение «{0}»: используйте одно из {1}.", name, string.Join(", ", AllDimensions)));
    }
}
