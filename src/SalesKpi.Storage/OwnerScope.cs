using SalesKpi.Core;

namespace SalesKpi.Storage;

/// <summary>
/// Restricts one open workspace to the data of one CRM owner: every canonical table is shadowed by a session view of
/// the same name that holds only that owner's rows (docs/server.md, "Data scope"), so every query the engine, the
/// analyses and the status run afterwards on that connection — including the records explain lists and the engine's
/// own temp tables built from them — sees the owner's data only, without any change to its SQL.
/// <list type="bullet">
/// <item>leads, deals: the row's <c>owner</c> is the owner (compared exactly, as stored);</item>
/// <item>deal_stages: the stages of the owner's deals;</item>
/// <item>activities: the owner's own activities, and those without an owner that belong to one of the owner's deals or leads;</item>
/// <item>customers, revenue, nps: of the customers one of the owner's deals names (a customer two owners share is seen by both);</item>
/// <item>spend: none — marketing cost belongs to the company, not to a rep;</item>
/// <item>lead_milestones (derived): computed from the owner's leads and the activities and deals the owner sees;</item>
/// <item>deal_leads (derived): the owner's deals whose lead the owner sees.</item>
/// </list>
/// The views live only as long as the connection; a scoped connection must not be handed to another caller.
/// </summary>
public static class OwnerScope
{
    /// <summary>The entities whose stored table a scoped session sees through a view; every canonical entity.</summary>
    public static IReadOnlyList<string> Shadowed { get; } = [.. EntityCatalog.All.Select(e => e.Name)];

    /// <summary>Shadows every canonical table of <paramref name="ws"/>'s session with <paramref name="owner"/>'s rows.</summary>
    public static void Apply(Workspace ws, string owner)
    {
        ArgumentNullException.ThrowIfNull(ws);
        var catalog = (string)(ws.Scalar("SELECT current_database()") ?? throw new InvalidOperationException("The engine names no current database."));
        ws.ApplySession(Statements(ws.Dialect, catalog, owner));
    }

    /// <summary>The statements <see cref="Apply"/> runs, for the database <paramref name="catalog"/>.</summary>
    public static IReadOnlyList<string> Statements(ISqlDialect d, string catalog, string owner)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        string T(string table) => d.StoredTable(catalog, table);
        var who = d.StringLiteral(owner);
        var deals = $"SELECT deal_id FROM {T("deals")} WHERE owner = {who}";
        var leads = $"SELECT lead_id FROM {T("leads")} WHERE owner = {who}";
        var customers = $"SELECT customer_id FROM {T("deals")} WHERE owner = {who} AND customer_id IS NOT NULL";
        var views = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["leads"] = $"SELECT * FROM {T("leads")} WHERE owner = {who}",
            ["deals"] = $"SELECT * FROM {T("deals")} WHERE owner = {who}",
            ["deal_stages"] = $"SELECT * FROM {T("deal_stages")} WHERE deal_id IN ({deals})",
            ["activities"] = $"SELECT * FROM {T("activities")} WHERE owner = {who} OR (owner IS NULL AND (deal_id IN ({deals}) OR lead_id IN ({leads})))",
            ["customers"] = $"SELECT * FROM {T("customers")} WHERE customer_id IN ({customers})",
            ["revenue"] = $"SELECT * FROM {T("revenue")} WHERE customer_id IN ({customers})",
            ["nps"] = $"SELECT * FROM {T("nps")} WHERE customer_id IN ({customers})",
            ["spend"] = $"SELECT * FROM {T("spend")} WHERE false",
        };

        // A canonical entity without a rule here would stay visible whole: fail loudly instead.
        var unruled = Shadowed.FirstOrDefault(e => !views.ContainsKey(e));
        if (unruled is not null)
        {
            throw new InvalidOperationException($"No owner scope rule for the entity {unruled}.");
        }

        // The derived tables are the scoped ones: of the activities and deals the owner sees, as before they were kept.
        return
        [
            .. Shadowed.Select(e => d.CreateTempView(d.Quote(e), views[e])),
            .. DerivedTable.All.Select(t => t.ScopedView(d, views)),
        ];
    }
}
