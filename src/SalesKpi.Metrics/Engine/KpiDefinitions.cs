using System.Collections.Immutable;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Metrics.Engine;

/// <summary>
/// The aggregates and context one KPI value is computed from: the family aggregates of its bucket and
/// slice, the "no … data imported" reason for the tables the KPI needs, the period and the parameters.
/// </summary>
/// <param name="Aggregates">The aggregates of a family (by <see cref="Families"/> name) for this bucket and slice; empty when it has no units there.</param>
/// <param name="MissingOf">The reason when one of the given tables has no rows known at as-of, else null.</param>
/// <param name="Missing">That reason for the KPI's own <see cref="KpiDefinition.Tables"/>.</param>
/// <param name="Period">The bucket the value is for.</param>
/// <param name="Parameters">The definition parameters.</param>
/// <param name="AsOf">The as-of moment (UTC).</param>
/// <param name="Zone">The workspace time zone.</param>
internal sealed record KpiInputs(Func<string, KpiEngine.Agg> Aggregates, Func<ImmutableArray<string>, Msg?> MissingOf, Msg? Missing, Period Period, KpiParameters Parameters, DateTime AsOf, TimeZoneInfo Zone)
{
    /// <summary>The aggregates of <paramref name="family"/>.</summary>
    public KpiEngine.Agg this[string family] => Aggregates(family);

    /// <summary>Computes another KPI's value from the same aggregates (for a derived KPI), with that KPI's own missing-data reason.</summary>
    public KpiResult Compute(KpiDefinition other, KpiResult result) => other.Compute(result, this with { Missing = MissingOf(other.Tables) });
}

/// <summary>Which test diagnose applies to a change of a KPI between two periods.</summary>
internal enum ChangeTestKind
{
    /// <summary>No variance model (a ratio of sums, or a KPI derived from others): not tested.</summary>
    None,

    /// <summary>Two-proportion z-test on numerator and denominator.</summary>
    TwoProportionZ,

    /// <summary>Welch's t-test on a mean and its standard deviation.</summary>
    WelchT,

    /// <summary>The NPS difference over the combined standard error of promoters and detractors.</summary>
    NpsDifferenceZ,

    /// <summary>Counts compared as Poisson rates per day.</summary>
    PoissonRateZ,
}

/// <summary>How diagnose tests a KPI's change, and which of the result's details it reads.</summary>
/// <param name="Kind">The test.</param>
/// <param name="SpreadDetail">For Welch: the detail holding the standard deviation.</param>
/// <param name="MeanDetail">For Welch: the detail holding the mean, when the value itself is not a mean (a median KPI).</param>
internal sealed record ChangeTestSpec(ChangeTestKind Kind, string? SpreadDetail = null, string? MeanDetail = null)
{
    public static readonly ChangeTestSpec None = new(ChangeTestKind.None);
    public static readonly ChangeTestSpec TwoProportion = new(ChangeTestKind.TwoProportionZ);
    public static readonly ChangeTestSpec NpsDifference = new(ChangeTestKind.NpsDifferenceZ);
    public static readonly ChangeTestSpec PoissonRate = new(ChangeTestKind.PoissonRateZ);

    /// <summary>Welch's t-test on the value (or <paramref name="mean"/>) with the spread in <paramref name="spread"/>.</summary>
    public static ChangeTestSpec Welch(string spread, string? mean = null) => new(ChangeTestKind.WelchT, spread, mean);

    /// <summary>The test's name as diagnose reports it (language-neutral).</summary>
    public string Name => Kind switch
    {
        ChangeTestKind.TwoProportionZ => "two-proportion z",
        ChangeTestKind.WelchT => "Welch t",
        ChangeTestKind.NpsDifferenceZ => "NPS difference z",
        ChangeTestKind.PoissonRateZ => "Poisson rate z",
        _ => string.Empty,
    };
}

/// <summary>One source of records explain lists for a KPI.</summary>
/// <param name="Family">The family whose rows are listed.</param>
/// <param name="Title">What the records are.</param>
/// <param name="Columns">The columns worth showing, in order (columns of the family's rows).</param>
/// <param name="When">When the source applies under the given parameters; null for always.</param>
internal sealed record ExplainSource(string Family, Msg Title, ImmutableArray<string> Columns, Func<KpiParameters, bool>? When = null);

/// <summary>
/// Everything SalesKpi knows about one catalogue KPI besides its identity (which is in
/// <see cref="KpiCatalog"/>): the families it reads, how its value is computed from their aggregates,
/// its maturity window, what explain shows and how diagnose tests a change.
/// </summary>
/// <param name="Kpi">The catalogue entry.</param>
/// <param name="Reads">The families (by <see cref="Families"/> name) the computation reads; equal to <see cref="KpiDef.Families"/>.</param>
/// <param name="Uses">
/// The aggregates of those families the computation (value, interval and details) reads: the report computes only
/// these (<see cref="Family.Pruned"/>), and reading an undeclared one throws (<see cref="KpiEngine.Agg"/>).
/// </param>
/// <param name="Tables">The imported tables without which the value is undefined ("no … data imported"), first missing one named.</param>
/// <param name="Compute">The value from the aggregates.</param>
/// <param name="WindowDays">The conversion window of a cohort KPI (its value is immature until the window after the period has passed); null for none.</param>
/// <param name="Explain">One sentence defining the KPI (English, Russian).</param>
/// <param name="Sources">The records explain lists.</param>
/// <param name="Test">How diagnose tests a change.</param>
internal sealed record KpiDefinition(
    KpiDef Kpi,
    ImmutableArray<string> Reads,
    ImmutableArray<AggregateUse> Uses,
    ImmutableArray<string> Tables,
    Func<KpiResult, KpiInputs, KpiResult> Compute,
    Func<KpiParameters, int>? WindowDays,
    (string En, string Ru) Explain,
    ImmutableArray<ExplainSource> Sources,
    ChangeTestSpec Test)
{
    /// <summary>The defining sentence as a message; its code is <c>explain.</c> and the KPI id.</summary>
    public Msg ExplainText => Msg.Of("explain." + Kpi.Id, Explain.En, Explain.Ru);
}

/// <summary>Aggregates (by name) of one family that a KPI's computation reads.</summary>
/// <param name="Family">The family, by <see cref="Families"/> name.</param>
/// <param name="Names">Names of its aggregates.</param>
/// <param name="When">
/// When the computation reads them under the given parameters; null for always. A family none of the requested KPIs
/// reads under the report's parameters is not queried at all (win rate on the "closed" basis needs no deals created).
/// </param>
internal sealed record AggregateUse(string Family, ImmutableArray<string> Names, Func<KpiParameters, bool>? When = null)
{
    /// <summary>Whether the computation reads these aggregates under <paramref name="parameters"/>.</summary>
    public bool AppliesTo(KpiParameters parameters) => When?.Invoke(parameters) ?? true;
}

/// <summary>Keys of <see cref="KpiResult.Details"/> that other computations (diagnose) read.</summary>
internal static class DetailKeys
{
    public const string StdDev = "std_dev";
    public const string StdDevDays = "std_dev_days";
    public const string StdDevHours = "std_dev_hours";
    public const string MeanHours = "mean_hours";
    public const string Promoters = "promoters";
    public const string Detractors = "detractors";
}

/// <summary>
/// The definition of every catalogue KPI, one entry each. The engine, explain and diagnose read these
/// entries rather than switching on KPI ids; <see cref="For"/> names a KPI that has none.
/// </summary>
internal static class KpiDefinitions
{
    private static readonly Msg LeadsCreated = Msg.Of("explain_source.leads_created", "leads created in the period", "лиды, созданные в периоде");
    private static readonly Msg SpendInPeriod = Msg.Of("explain_source.spend_in_period", "spend in the period", "затраты периода");
    private static readonly Msg LeadsCreatedCohort = Msg.Of("explain_source.leads_created_cohort", "cohort: leads created in the period", "когорта: лиды, созданные в периоде");
    private static readonly Msg LeadsQualifiedCohort = Msg.Of("explain_source.leads_qualified_cohort", "cohort: leads qualified in the period", "когорта: лиды, квалифицированные в периоде");
    private static readonly Msg DealsClosedInPeriod = Msg.Of("explain_source.deals_closed_in_period", "deals closed in the period", "сделки, закрытые в периоде");
    private static readonly Msg DealsCreatedInPeriod = Msg.Of("explain_source.deals_created_in_period", "deals created in the period", "сделки, созданные в периоде");
    private static readonly Msg CustomersTitle = Msg.Of("explain_source.customers", "customers", "клиенты");
    private static readonly Msg RevenueInPeriod = Msg.Of("explain_source.revenue_in_period", "revenue in the period", "выручка периода");
    private static readonly Msg AnswersInPeriod = Msg.Of("explain_source.answers_in_period", "answers in the period", "ответы периода");
    private static readonly Msg AcquiredInPeriod = Msg.Of("explain_source.acquired_in_period", "customers acquired in the period", "клиенты, привлечённые в периоде");

    private static readonly Msg NoLeadsCreated = Msg.Of("no_leads_created", "no leads created in the period", "нет лидов, созданных в периоде");

    // The average deal size and the cycle length are also factors of the sales velocity, details included.
    private static readonly ImmutableArray<string> DealSizeAggregates = ["amount_n", "amount_sum", "amount_median", "amount_sd", "other_currency"];
    private static readonly ImmutableArray<string> CycleAggregates = ["won", "cycle_mean", "cycle_median", "cycle_p90", "cycle_sd"];

    private static readonly ExplainSource Spend = new(Families.Spend, SpendInPeriod, ["date", "channel", "campaign", "amount"]);
    private static readonly ExplainSource Acquired = new(Families.Acquired, AcquiredInPeriod, ["customer_id", "acquired_at"]);
    private static readonly ExplainSource CustomersForLtv = new(Families.Customers, CustomersTitle, ["customer_id", "acquired_at", "churned_at", "active_at_start", "active_at_end", "churned_in_period"]);

    private static readonly KpiDefinition CustomerLifetimeValue = new(
        KpiCatalog.CustomerLifetimeValue,
        [Families.Customers, Families.Revenue],
        [new(Families.Customers, ["start", "end", "lost"]), new(Families.Revenue, ["gross_profit"])],
        ["customers", "revenue"],
        (r, i) => KpiEngine.Ltv(r, i[Families.Customers], i[Families.Revenue], i),
        null,
        ("(gross profit ÷ average active customers ÷ months) ÷ monthly churn, from the customers active at the start (S) and end (E).", "(валовая прибыль ÷ среднее число активных клиентов ÷ месяцы) ÷ месячный отток, по клиентам на начало (S) и конец (E)."),
        [CustomersForLtv, new(Families.Revenue, RevenueInPeriod, ["invoice_id", "customer_id", "date", "amount", "cost", "profit"])],
        ChangeTestSpec.None);

    private static readonly KpiDefinition CustomerAcquisitionCost = new(
        KpiCatalog.CustomerAcquisitionCost,
        [Families.Spend, Families.Acquired],
        [new(Families.Spend, ["spend"]), new(Families.Acquired, ["acquired"])],
        ["spend", "customers"],
        (r, i) => KpiEngine.Cac(r, i[Families.Spend], i[Families.Acquired], i.Missing),
        null,
        ("Spend in the period ÷ customers acquired in the period.", "Затраты периода ÷ клиенты, привлечённые в периоде."),
        [Spend, Acquired],
        ChangeTestSpec.None);

    /// <summary>Every catalogue KPI's definition, in catalogue order.</summary>
    public static readonly ImmutableArray<KpiDefinition> All =
    [
        new(
            KpiCatalog.Leads,
            [Families.Leads],
            [new(Families.Leads, ["n"])],
            ["leads"],
            (r, i) => KpiEngine.Leads(r, i[Families.Leads], i.Missing),
            null,
            ("Leads with created_at in the period.", "Лиды с created_at в периоде."),
            [new(Families.Leads, LeadsCreated, ["lead_id", "created_at"])],
            ChangeTestSpec.PoissonRate),
        new(
            KpiCatalog.CostPerLead,
            [Families.Spend, Families.Leads],
            [new(Families.Spend, ["spend"]), new(Families.Leads, ["n"])],
            ["spend", "leads"],
            (r, i) => KpiEngine.CostPerLead(r, i[Families.Spend], i[Families.Leads], i.Missing),
            null,
            ("Spend with date in the period ÷ leads created in the period, in the same channel/campaign slice.", "Затраты с датой в периоде ÷ лиды, созданные в периоде, в том же разрезе канала/кампании."),
            [Spend, new(Families.Leads, LeadsCreated, ["lead_id", "created_at"])],
            ChangeTestSpec.None),
        new(
            KpiCatalog.LeadQuality,
            [Families.Leads],
            [new(Families.Leads, ["n", "score_sum", "high", "score_sd"])],
            ["leads"],
            (r, i) => KpiEngine.Quality(r, i[Families.Leads], i.Missing),
            null,
            ("Mean score of the leads created in the period: the source's quality_score, else the points of the matching rules (capped at 100).", "Средний балл лидов периода: quality_score источника, иначе сумма баллов правил (не более 100)."),
            [new(Families.Leads, LeadsCreated, ["lead_id", "job_title", "company_size", "need", "source_score", "score"])],
            ChangeTestSpec.Welch(DetailKeys.StdDev)),
        new(
            KpiCatalog.LeadToSqlRate,
            [Families.Leads],
            [new(Families.Leads, ["n", "to_sql"])],
            ["leads"],
            (r, i) => KpiEngine.Proportion(r, i[Families.Leads], "to_sql", "n", i.Missing, NoLeadsCreated),
            p => p.LeadToSqlWindowDays,
            ("Of the leads created in the period, those qualified (not after as-of) within the window after creation.", "Доля лидов периода, квалифицированных (не позже as-of) в пределах окна после создания."),
            [new(Families.Leads, LeadsCreatedCohort, ["lead_id", "created_at", "qualified_at", "to_sql"])],
            ChangeTestSpec.TwoProportion),
        new(
            KpiCatalog.LeadResponseTime,
            [Families.Leads],
            [new(Families.Leads, ["n", "answered", "resp_median", "resp_mean", "resp_sd", "resp_p90", "within_sla"])],
            ["leads"],
            (r, i) => KpiEngine.Response(r, i[Families.Leads], i.Missing),
            null,
            ("Median hours from creation to the first response (first_response_at or the first non-inbound activity at or after creation).", "Медиана часов от создания до первого ответа (first_response_at или первая не входящая активность после создания)."),
            [new(Families.Leads, LeadsCreated, ["lead_id", "created_at", "responded_at", "response_hours"])],
            ChangeTestSpec.Welch(DetailKeys.StdDevHours, DetailKeys.MeanHours)),
        new(
            KpiCatalog.SqlToOpportunityRate,
            [Families.Sql],
            [new(Families.Sql, ["n", "converted"])],
            ["leads"],
            (r, i) => KpiEngine.Proportion(r, i[Families.Sql], "converted", "n", i.Missing, Msg.Of("no_leads_qualified", "no leads qualified in the period", "нет лидов, квалифицированных в периоде")),
            p => p.SqlToOpportunityWindowDays,
            ("Of the leads qualified in the period, those with a deal created (not after as-of) within the window after qualification.", "Доля лидов, квалифицированных в периоде, по которым в пределах окна создана сделка (не позже as-of)."),
            [new(Families.Sql, LeadsQualifiedCohort, ["lead_id", "qualified_at", "first_deal_at", "to_opportunity"])],
            ChangeTestSpec.TwoProportion),
        new(
            KpiCatalog.AverageDealSize,
            [Families.DealsClosed],
            [new(Families.DealsClosed, DealSizeAggregates)],
            ["deals"],
            (r, i) => KpiEngine.DealSize(r, i[Families.DealsClosed], i.Missing),
            null,
            ("Mean amount of the deals won with closed_at in the period (deals in another currency are left out).", "Средняя сумма сделок, выигранных с closed_at в периоде (сделки в другой валюте не учитываются)."),
            [new(Families.DealsClosed, DealsClosedInPeriod, ["deal_id", "status", "closed_at", "amount", "other_currency"])],
            ChangeTestSpec.Welch(DetailKeys.StdDev)),
        new(
            KpiCatalog.SalesCycleLength,
            [Families.DealsClosed],
            [new(Families.DealsClosed, CycleAggregates)],
            ["deals"],
            (r, i) => KpiEngine.Cycle(r, i[Families.DealsClosed], i.Missing),
            null,
            ("Mean days from the cycle start to closed_at of the deals won in the period.", "Среднее число дней от начала цикла до closed_at по сделкам, выигранным в периоде."),
            [new(Families.DealsClosed, DealsClosedInPeriod, ["deal_id", "status", "cycle_start", "closed_at", "cycle_days"])],
            ChangeTestSpec.Welch(DetailKeys.StdDevDays)),
        new(
            KpiCatalog.WinRate,
            [Families.DealsClosed, Families.DealsCreated],
            [new(Families.DealsClosed, ["won", "lost"], p => p.WinRateBasis == WinRateBasis.Closed), new(Families.DealsCreated, ["won", "lost"], p => p.WinRateBasis != WinRateBasis.Closed)],
            ["deals"],
            (r, i) => KpiEngine.WinRate(r, i.Parameters.WinRateBasis == WinRateBasis.Closed ? i[Families.DealsClosed] : i[Families.DealsCreated], i.Missing),
            null,
            ("Deals won ÷ deals won or lost (closed in the period, or created in the period when the basis is 'created').", "Выигранные ÷ выигранные и проигранные сделки (закрытые в периоде или, при базе «created», созданные в периоде)."),
            [
                new(Families.DealsClosed, DealsClosedInPeriod, ["deal_id", "status", "closed_at"], p => p.WinRateBasis == WinRateBasis.Closed),
                new(Families.DealsCreated, DealsCreatedInPeriod, ["deal_id", "created_at", "status_as_of"], p => p.WinRateBasis != WinRateBasis.Closed),
            ],
            ChangeTestSpec.TwoProportion),
        new(
            KpiCatalog.ActivitiesPerDeal,
            [Families.DealsClosed],
            [new(Families.DealsClosed, ["won", "calls", "meetings", "touches_sd"])],
            ["deals", "activities"],
            (r, i) => KpiEngine.Activities(r, i[Families.DealsClosed], i.Missing),
            null,
            ("Calls and meetings linked to the deals won in the period ÷ those deals.", "Звонки и встречи по сделкам, выигранным в периоде ÷ число этих сделок."),
            [new(Families.DealsClosed, DealsClosedInPeriod, ["deal_id", "status", "calls", "meetings"])],
            ChangeTestSpec.Welch(DetailKeys.StdDev)),
        CustomerLifetimeValue,
        new(
            KpiCatalog.RetentionRate,
            [Families.Customers],
            [new(Families.Customers, ["start", "lost"])],
            ["customers"],
            (r, i) => KpiEngine.Retention(r, i[Families.Customers], i.Missing),
            null,
            ("Of the customers active at the start of the period, the share still customers at its end.", "Доля клиентов, активных на начало периода, которые остались клиентами на его конец."),
            [new(Families.Customers, CustomersTitle, ["customer_id", "acquired_at", "churned_at", "active_at_start", "churned_in_period"])],
            ChangeTestSpec.TwoProportion),
        new(
            KpiCatalog.Nps,
            [Families.Nps],
            [new(Families.Nps, ["answers", "promoters", "passives", "detractors"])],
            ["nps"],
            (r, i) => KpiEngine.Nps(r, i[Families.Nps], i.Missing),
            null,
            ("(promoters 9–10 − detractors 0–6) ÷ answers × 100, over answers in the period.", "(промоутеры 9–10 − критики 0–6) ÷ ответы × 100 по ответам периода."),
            [new(Families.Nps, AnswersInPeriod, ["response_id", "responded_at", "score", "customer_id"])],
            ChangeTestSpec.NpsDifference),
        new(
            KpiCatalog.SalesVelocity,
            [Families.DealsClosed, Families.DealsCreated],
            [new(Families.DealsCreated, ["created", "won", "lost"]), new(Families.DealsClosed, ["won", "lost", .. DealSizeAggregates, .. CycleAggregates])],
            ["deals"],
            (r, i) => KpiEngine.Velocity(r, i[Families.DealsCreated], i[Families.DealsClosed], i.Parameters, i.Missing),
            null,
            ("Deals created × win rate × average deal size ÷ sales-cycle length, all for the period.", "Созданные сделки × коэффициент закрытия × средний чек ÷ длительность цикла, всё за период."),
            [
                new(Families.DealsCreated, DealsCreatedInPeriod, ["deal_id", "created_at", "status_as_of"]),
                new(Families.DealsClosed, DealsClosedInPeriod, ["deal_id", "status", "closed_at", "amount", "cycle_days"]),
            ],
            ChangeTestSpec.None),
        CustomerAcquisitionCost,
        new(
            KpiCatalog.LtvToCac,
            [Families.Customers, Families.Revenue, Families.Spend, Families.Acquired],
            [.. CustomerLifetimeValue.Uses, .. CustomerAcquisitionCost.Uses],
            ["customers", "revenue", "spend"],
            (r, i) => KpiEngine.LtvToCac(r, i.Compute(CustomerLifetimeValue, r), i.Compute(CustomerAcquisitionCost, r)),
            null,
            ("Customer lifetime value ÷ customer acquisition cost.", "LTV ÷ CAC."),
            [CustomersForLtv, Spend, Acquired],
            ChangeTestSpec.None),
        new(
            KpiCatalog.LeadToWinRate,
            [Families.Leads],
            [new(Families.Leads, ["n", "to_win"])],
            ["leads", "deals"],
            (r, i) => KpiEngine.Proportion(r, i[Families.Leads], "to_win", "n", i.Missing, NoLeadsCreated),
            p => p.LeadToWinWindowDays,
            ("Of the leads created in the period, those with a deal won (not after as-of) within the window after creation.", "Доля лидов периода, по которым в пределах окна выиграна сделка (не позже as-of)."),
            [new(Families.Leads, LeadsCreatedCohort, ["lead_id", "created_at", "won_at", "to_win"])],
            ChangeTestSpec.TwoProportion),
        new(
            KpiCatalog.RealizedLifetimeValue,
            [Families.Customers],
            [new(Families.Customers, ["churned", "realized_sum", "realized_sd"])],
            ["customers", "revenue"],
            (r, i) => KpiEngine.Realized(r, i[Families.Customers], i.Missing),
            null,
            ("Customers churned in the period: mean of their total gross profit over the whole relationship.", "Клиенты, ушедшие в периоде: средняя суммарная валовая прибыль за всё время отношений."),
            [new(Families.Customers, CustomersTitle, ["customer_id", "churned_at", "churned_in_period", "lifetime_profit"])],
            ChangeTestSpec.Welch(DetailKeys.StdDev)),
    ];

    private static readonly ImmutableDictionary<string, KpiDefinition> ById = All.ToImmutableDictionary(d => d.Kpi.Id, StringComparer.Ordinal);

    /// <summary>The definition of <paramref name="kpi"/>; throws naming the KPI when the catalogue entry has none.</summary>
    public static KpiDefinition For(KpiDef kpi) =>
        ById.TryGetValue(kpi.Id, out var definition)
            ? definition
            : throw new InvalidOperationException($"KPI '{kpi.Id}' has no entry in KpiDefinitions.All: add one next to its catalogue entry.");
}
