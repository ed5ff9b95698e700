using SalesKpi.Core;

namespace SalesKpi.Storage;

/// <summary>
/// The derived table <c>lead_milestones</c>: for every stored lead that has one of them, the first moment of three events
/// the KPIs read per lead — <c>touched_at</c>, its first activity that is not inbound and happened at or after the lead's
/// creation (lead response time); <c>opportunity_at</c>, the creation of its first deal (SQL → opportunity);
/// <c>won_at</c>, the close of its first won deal (lead → win) — beside the lead's own <c>lead_created_at</c>, so a query
/// of one period's leads reads only their rows (the leads family's join builds on them instead of on every lead's). A
/// column is null when the lead has no such event; a lead with none of them has no row, and neither has a lead that was
/// never imported (its deals and activities name it, but every query reaches the table from a stored lead).
/// <para>
/// It holds no as-of: the first event known at an as-of moment T is the stored moment when that moment is ≤ T, else
/// none — the minimum over the events up to T is the overall minimum exactly when that minimum is not later than T —
/// so one table serves every as-of and period. It is rebuilt from leads, activities and deals by the transaction that
/// changes any of them (the import), so it never disagrees with them; migration 9 creates it (replacing migration 6's
/// <c>lead_first_touch</c>, which held the first column only) and migration 10 adds <c>lead_created_at</c>.
/// </para>
/// </summary>
public static class LeadMilestones
{
    /// <summary>The table's name.</summary>
    public const string Table = "lead_milestones";

    /// <summary>The table as the import keeps it: rebuilt when leads, activities or deals are stored.</summary>
    public static DerivedTable Derived { get; } = new(
        Table,
        ["lead_id", "touched_at", "opportunity_at", "won_at", "lead_created_at"],
        new HashSet<string>(["leads", "activities", "deals"], StringComparer.Ordinal),
        source => Select(source("activities"), source("leads"), source("deals")),
        Msg.Of("import.step_milestones", "finding each lead's first response, opportunity and won deal", "поиск первого ответа, сделки и выигранной сделки по каждому лиду"));

    /// <summary>
    /// The condition (on the table's columns, unqualified) that keeps the rows of the leads created in [<paramref name="from"/>,
    /// <paramref name="to"/>) and by <paramref name="asOf"/> (SQL expressions) — the only rows a query of that cohort of
    /// leads can join — and every row without the lead's creation: only an import by an older version still running
    /// after migration 10 writes such rows, and its leads must not go missing.
    /// </summary>
    public static string CreatedWithin(string from, string to, string asOf) =>
        $"(lead_created_at IS NULL OR (lead_created_at >= {from} AND lead_created_at < {to} AND lead_created_at <= {asOf}))";

    /// <summary>
    /// The query of the table's rows (<c>lead_id</c>, <c>touched_at</c>, <c>opportunity_at</c>, <c>won_at</c>,
    /// <c>lead_created_at</c>: the table's own column order, which a session view standing in for it must keep) over
    /// the activities, leads and deals that <paramref name="activities"/>, <paramref name="leads"/> and
    /// <paramref name="deals"/> name (a table or a parenthesised query). No leading <c>WITH</c>: PostgreSQL's
    /// migrations tell a data change by its first word.
    /// </summary>
    public static string Select(string activities, string leads, string deals) =>
        $"""
        SELECT l.lead_id, x.touched_at, x.opportunity_at, x.won_at, l.created_at AS lead_created_at
        FROM (SELECT coalesce(t.lead_id, d.lead_id) AS lead_id, t.t AS touched_at, d.opp AS opportunity_at, d.won AS won_at
              FROM (SELECT a.lead_id, min(a.occurred_at) AS t FROM {activities} a JOIN {leads} l ON l.lead_id = a.lead_id
                    WHERE a.occurred_at >= l.created_at AND (a.direction IS NULL OR a.direction <> 'inbound')
                    GROUP BY a.lead_id) t
              FULL JOIN (SELECT lead_id, min(created_at) AS opp, min(closed_at) FILTER (WHERE status = 'won') AS won
                         FROM {deals} dl WHERE lead_id IS NOT NULL GROUP BY lead_id) d ON d.lead_id = t.lead_id) x
        JOIN {leads} l ON l.lead_id = x.lead_id
        """;
}
