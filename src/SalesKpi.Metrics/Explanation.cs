using SalesKpi.Core;
using SalesKpi.Core.Kpis;

namespace SalesKpi.Metrics;

/// <summary>The records of one source of a KPI (e.g. the deals closed in the period), as listed by explain.</summary>
/// <param name="Title">What the records are, in the current language.</param>
/// <param name="Columns">The columns worth showing, in order.</param>
/// <param name="Rows">The records, at most the requested limit plus one (so callers can tell there are more).</param>
public sealed record ExplainedSource(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows);

/// <summary>How one KPI value came about: its definition, the value itself and the records behind it.</summary>
/// <param name="Definition">One sentence defining the KPI, in the current language.</param>
/// <param name="Report">The report the value was taken from (its notes apply).</param>
/// <param name="Result">The value for the period and slice; null when no record falls into the slice.</param>
/// <param name="Sources">The records of every source the KPI reads.</param>
public sealed record Explanation(string Definition, KpiReport Report, KpiResult? Result, IReadOnlyList<ExplainedSource> Sources);

/// <summary>What explain shows for each KPI.</summary>
internal static class ExplainCatalog
{
    internal static readonly Dictionary<string, (string En, string Ru)> Definitions = new()
    {
        ["leads"] = ("Leads with created_at in the period.", "Лиды с created_at в периоде."),
        ["cost_per_lead"] = ("Spend with date in the period ÷ leads created in the period, in the same channel/campaign slice.", "Затраты с датой в периоде ÷ лиды, созданные в периоде, в том же разрезе канала/кампании."),
        ["lead_quality"] = ("Mean score of the leads created in the period: the source's quality_score, else the points of the matching rules (capped at 100).", "Средний балл лидов периода: quality_score источника, иначе сумма баллов правил (не более 100)."),
        ["lead_to_sql_rate"] = ("Of the leads created in the period, those qualified (not after as-of) within the window after creation.", "Доля лидов периода, квалифицированных (не позже as-of) в пределах окна после создания."),
        ["lead_response_time"] = ("Median hours from creation to the first response (first_response_at or the first non-inbound activity at or after creation).", "Медиана часов от создания до первого ответа (first_response_at или первая не входящая активность после создания)."),
        ["sql_to_opportunity_rate"] = ("Of the leads qualified in the period, those with a deal created (not after as-of) within the window after qualification.", "Доля лидов, квалифицированных в периоде, по которым в пределах окна создана сделка (не позже as-of)."),
        ["average_deal_size"] = ("Mean amount of the deals won with closed_at in the period (deals in another currency are left out).", "Средняя сумма сделок, выигранных с closed_at в периоде (сделки в другой валюте не учитываются)."),
        ["sales_cycle_length"] = ("Mean days from the cycle start to closed_at of the deals won in the period.", "Среднее число дней от начала цикла до closed_at по сделкам, выигранным в периоде."),
        ["win_rate"] = ("Deals won ÷ deals won or lost (closed in the period, or created in the period when the basis is 'created').", "Выигранные ÷ выигранные и проигранные сделки (закрытые в периоде или, при базе «created», созданные в периоде)."),
        ["activities_per_deal"] = ("Calls and meetings linked to the deals won in the period ÷ those deals.", "Звонки и встречи по сделкам, выигранным в периоде ÷ число этих сделок."),
        ["customer_lifetime_value"] = ("(gross profit ÷ average active customers ÷ months) ÷ monthly churn, from the customers active at the start (S) and end (E).", "(валовая прибыль ÷ среднее число активных клиентов ÷ месяцы) ÷ месячный отток, по клиентам на начало (S) и конец (E)."),
        ["retention_rate"] = ("Of the customers active at the start of the period, the share still customers at its end.", "Доля клиентов, активных на начало периода, которые остались клиентами на его конец."),
        ["nps"] = ("(promoters 9–10 − detractors 0–6) ÷ answers × 100, over answers in the period.", "(промоутеры 9–10 − критики 0–6) ÷ ответы × 100 по ответам периода."),
        ["sales_velocity"] = ("Deals created × win rate × average deal size ÷ sales-cycle length, all for the period.", "Созданные сделки × коэффициент закрытия × средний чек ÷ длительность цикла, всё за период."),
        ["customer_acquisition_cost"] = ("Spend in the period ÷ customers acquired in the period.", "Затраты периода ÷ клиенты, привлечённые в периоде."),
        ["ltv_to_cac"] = ("Customer lifetime value ÷ customer acquisition cost.", "LTV ÷ CAC."),
        ["lead_to_win_rate"] = ("Of the leads created in the period, those with a deal won (not after as-of) within the window after creation.", "Доля лидов периода, по которым в пределах окна выиграна сделка (не позже as-of)."),
        ["realized_lifetime_value"] = ("Customers churned in the period: mean of their total gross profit over the whole relationship.", "Клиенты, ушедшие в периоде: средняя суммарная валовая прибыль за всё время отношений."),
    };

    internal static readonly Dictionary<string, (string Family, string Title, string[] Columns)[]> Sources = new()
    {
        ["leads"] = [(Families.Leads, "leads created in the period", ["lead_id", "created_at"])],
        ["cost_per_lead"] = [(Families.Spend, "spend in the period", ["date", "channel", "campaign", "amount"]), (Families.Leads, "leads created in the period", ["lead_id", "created_at"])],
        ["lead_quality"] = [(Families.Leads, "leads created in the period", ["lead_id", "job_title", "company_size", "need", "source_score", "score"])],
        ["lead_to_sql_rate"] = [(Families.Leads, "cohort: leads created in the period", ["lead_id", "created_at", "qualified_at", "to_sql"])],
        ["lead_response_time"] = [(Families.Leads, "leads created in the period", ["lead_id", "created_at", "responded_at", "response_hours"])],
        ["sql_to_opportunity_rate"] = [(Families.Sql, "cohort: leads qualified in the period", ["lead_id", "qualified_at", "first_deal_at", "to_opportunity"])],
        ["average_deal_size"] = [(Families.DealsClosed, "deals closed in the period", ["deal_id", "status", "closed_at", "amount", "other_currency"])],
        ["sales_cycle_length"] = [(Families.DealsClosed, "deals closed in the period", ["deal_id", "status", "cycle_start", "closed_at", "cycle_days"])],
        ["win_rate"] = [(Families.DealsClosed, "deals closed in the period", ["deal_id", "status", "closed_at"]), (Families.DealsCreated, "deals created in the period", ["deal_id", "created_at", "status_as_of"])],
        ["activities_per_deal"] = [(Families.DealsClosed, "deals closed in the period", ["deal_id", "status", "calls", "meetings"])],
        ["customer_lifetime_value"] = [(Families.Customers, "customers", ["customer_id", "acquired_at", "churned_at", "active_at_start", "active_at_end", "churned_in_period"]), (Families.Revenue, "revenue in the period", ["invoice_id", "customer_id", "date", "amount", "cost", "profit"])],
        ["retention_rate"] = [(Families.Customers, "customers", ["customer_id", "acquired_at", "churned_at", "active_at_start", "churned_in_period"])],
        ["nps"] = [(Families.Nps, "answers in the period", ["response_id", "responded_at", "score", "customer_id"])],
        ["sales_velocity"] = [(Families.DealsCreated, "deals created in the period", ["deal_id", "created_at", "status_as_of"]), (Families.DealsClosed, "deals closed in the period", ["deal_id", "status", "closed_at", "amount", "cycle_days"])],
        ["customer_acquisition_cost"] = [(Families.Spend, "spend in the period", ["date", "channel", "campaign", "amount"]), (Families.Acquired, "customers acquired in the period", ["customer_id", "acquired_at"])],
        ["ltv_to_cac"] = [(Families.Customers, "customers", ["customer_id", "acquired_at", "churned_at", "active_at_start", "active_at_end", "churned_in_period"]), (Families.Spend, "spend in the period", ["date", "channel", "campaign", "amount"]), (Families.Acquired, "customers acquired in the period", ["customer_id", "acquired_at"])],
        ["lead_to_win_rate"] = [(Families.Leads, "cohort: leads created in the period", ["lead_id", "created_at", "won_at", "to_win"])],
        ["realized_lifetime_value"] = [(Families.Customers, "customers", ["customer_id", "churned_at", "churned_in_period", "lifetime_profit"])],
    };

    internal static readonly Dictionary<string, string> TitlesRu = new()
    {
        ["leads created in the period"] = "лиды, созданные в периоде",
        ["spend in the period"] = "затраты периода",
        ["cohort: leads created in the period"] = "когорта: лиды, созданные в периоде",
        ["cohort: leads qualified in the period"] = "когорта: лиды, квалифицированные в периоде",
        ["deals closed in the period"] = "сделки, закрытые в периоде",
        ["deals created in the period"] = "сделки, созданные в периоде",
        ["customers"] = "клиенты",
        ["revenue in the period"] = "выручка периода",
        ["answers in the period"] = "ответы периода",
        ["customers acquired in the period"] = "клиенты, привлечённые в периоде",
    };
}
