namespace SalesKpi.Storage;

/// <summary>
/// The derived table <c>lead_first_touch</c>: for every lead with one, the moment of its first activity that is not
/// inbound and happened at or after the lead's creation (<c>t</c>), the response the lead-response-time KPI reads.
/// Leads with no such activity have no row. It holds no as-of: the first touch known at an as-of moment T is
/// <c>t</c> when <c>t ≤ T</c>, else none — the minimum over activities up to T is the overall minimum exactly when
/// that minimum is not later than T — so one table serves every as-of and period. It is rebuilt from leads and
/// activities by the transaction that changes either of them (the import), so it never disagrees with them; migration 6
/// creates it.
/// </summary>
public static class LeadFirstTouch
{
    /// <summary>The table's name.</summary>
    public const string Table = "lead_first_touch";

    /// <summary>The statements replacing the table's rows by those computed from the stored leads and activities.</summary>
    public static IReadOnlyList<string> Rebuild() =>
    [
        $"DELETE FROM {Table}",
        $"INSERT INTO {Table} {Select("activities", "leads")}",
    ];

    /// <summary>
    /// The query of the table's rows (<c>lead_id</c>, <c>t</c>) over the activities and leads that
    /// <paramref name="activities"/> and <paramref name="leads"/> name (a table or a parenthesised query).
    /// </summary>
    public static string Select(string activities, string leads) =>
        $"""
        SELECT a.lead_id, min(a.occurred_at) AS t FROM {activities} a JOIN {leads} l ON l.lead_id = a.lead_id
        WHERE a.occurred_at >= l.created_at AND (a.direction IS NULL OR a.direction <> 'inbound')
        GROUP BY a.lead_id
        """;
}
