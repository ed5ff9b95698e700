using SalesKpi.Core;

namespace SalesKpi.Storage;

/// <summary>
/// The derived table <c>deal_leads</c>: for every deal whose lead is stored, what the deal KPIs read of that lead — its
/// creation (<c>lead_created_at</c>: the as-of test of the lead, and the cycle's start when the cycle starts at the lead)
/// and its channel (<c>lead_channel</c>, the deals' slice by channel). A deal without a lead, or whose lead was never
/// imported, has no row, exactly as a join to the leads finds none. Kept so that a period's deals join their own rows
/// instead of probing every stored lead (at 10 M leads most of the deal families' time; docs/benchmarks.md).
/// <para>
/// It holds no as-of: a reader tests <c>lead_created_at</c> against its own. It is rebuilt from deals and leads by the
/// transaction that changes either (the import), so it never disagrees with them; migration 11 creates it.
/// </para>
/// </summary>
public static class DealLeads
{
    /// <summary>The table's name.</summary>
    public const string Table = "deal_leads";

    /// <summary>The table as the import keeps it: rebuilt when leads or deals are stored.</summary>
    public static DerivedTable Derived { get; } = new(
        Table,
        ["deal_id", "lead_created_at", "lead_channel"],
        new HashSet<string>(["leads", "deals"], StringComparer.Ordinal),
        source => Select(source("deals"), source("leads")),
        Msg.Of("import.step_deal_leads", "noting each deal's lead", "сопоставление сделок с их лидами"));

    /// <summary>
    /// The query of the table's rows (<c>deal_id</c>, <c>lead_created_at</c>, <c>lead_channel</c>: the table's own column
    /// order, which a session view standing in for it must keep) over the deals and leads that <paramref name="deals"/>
    /// and <paramref name="leads"/> name (a table or a parenthesised query).
    /// </summary>
    public static string Select(string deals, string leads) =>
        $"SELECT d.deal_id, l.created_at AS lead_created_at, l.channel AS lead_channel FROM {deals} d JOIN {leads} l ON l.lead_id = d.lead_id";
}
