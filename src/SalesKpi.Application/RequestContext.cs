using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Application;

/// <summary>
/// Who asks, in which language, at what time, against which workspace: everything a use case needs from its
/// host besides the request itself. Services read "now" only from <see cref="Clock"/> and produce text only in
/// <see cref="Language"/>, so two calls with different contexts can run at the same time in one process.
/// </summary>
/// <param name="Language">The language of every message and note the call produces.</param>
/// <param name="Clock">Where "now" comes from (a fixed clock in tests).</param>
/// <param name="User">The acting user: stored as the author of KPI-system versions the call writes.</param>
/// <param name="WorkspacePath">The workspace file the call works on.</param>
public sealed record RequestContext(Language Language, TimeProvider Clock, string User, string WorkspacePath)
{
    /// <summary>How long to wait while another process holds the workspace; zero fails at once.</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Told, in <see cref="Language"/>, when the call waits for the workspace; ignored when null.</summary>
    public Action<string>? Waiting { get; init; }

    /// <summary>Told technical trace lines (SQL timings) when the host asked for them; null for none.</summary>
    public Action<string>? Trace { get; init; }

    /// <summary>
    /// Whose data the call may see: null for the whole workspace; otherwise only the leads and deals of one CRM owner
    /// (a rep signed in to the server). Every service applies it to every query it runs.
    /// </summary>
    public DataScope? Scope { get; init; }

    /// <summary>
    /// Read-only workspaces kept open between calls by a long-lived host (the server); null opens the file afresh
    /// for every call, as the CLI does. Scoped calls never use it.
    /// </summary>
    public WorkspacePool? Pool { get; init; }

    /// <summary>
    /// Opens the workspace with <paramref name="access"/>, waiting up to <see cref="Wait"/>; an unscoped read-only open
    /// comes from <see cref="Pool"/> when there is one. With a <see cref="Scope"/>,
    /// the connection sees only the scope owner's data (<see cref="OwnerScope"/>), and a read-write open is refused:
    /// every change to a workspace (imports, targets, the KPI system, parameters, snapshots) is company-wide.
    /// </summary>
    public Workspace Open(WorkspaceAccess access)
    {
        if (Scope is not null && access == WorkspaceAccess.ReadWrite)
        {
            throw new SalesKpiException(Msg.Of(
                "scope.read_only",
                "Your access covers the data of owner '{0}' only: changing the workspace is for roles that see the whole company.",
                "Ваш доступ ограничен данными ответственного «{0}»: менять рабочее пространство могут только роли, которые видят всю компанию.",
                Scope.Owner));
        }

        // A scoped connection carries the owner's views: it is opened for this call alone, never pooled.
        var ws = OpenWhole(access, pooled: Scope is null);
        if (Scope is not null)
        {
            try
            {
                OwnerScope.Apply(ws, Scope.Owner);
            }
            catch
            {
                ws.Dispose();
                throw;
            }
        }

        return ws;
    }

    /// <summary>
    /// Opens the workspace read-only over the whole company, for company-wide totals: allowed without a
    /// <see cref="Scope"/> or with <see cref="DataScope.CompanyTotals"/>; otherwise throws a <see cref="SalesKpiException"/>
    /// naming <paramref name="what"/>. The caller must return only aggregates from it, never records or other owners' slices.
    /// </summary>
    public Workspace OpenCompanyTotals(Msg what)
    {
        ArgumentNullException.ThrowIfNull(what);
        RequireCompanyTotals(what);
        return OpenWhole(WorkspaceAccess.ReadOnly, pooled: true);
    }

    /// <summary>Throws a <see cref="SalesKpiException"/> naming <paramref name="what"/> unless the caller may see company-wide totals.</summary>
    public void RequireCompanyTotals(Msg what)
    {
        ArgumentNullException.ThrowIfNull(what);
        if (Scope is { CompanyTotals: false })
        {
            throw new SalesKpiException(Msg.Of(
                "scope.no_company_totals",
                "{0} are company-wide figures; your access covers the data of owner '{1}' only (an administrator can allow company totals).",
                "{0} — показатели всей компании; ваш доступ ограничен данными ответственного «{1}» (администратор может разрешить итоги по компании).",
                what,
                Scope.Owner));
        }
    }

    private Workspace OpenWhole(WorkspaceAccess access, bool pooled)
    {
        var wait = new WorkspaceWait(Wait, m => Waiting?.Invoke(m.Render(Language)), Clock);
        return pooled && access == WorkspaceAccess.ReadOnly && Pool is { } pool ? pool.Rent(WorkspacePath, wait) : Workspace.Open(WorkspacePath, access, wait);
    }
}

/// <summary>
/// A restriction of what a call may read: the leads and deals whose <c>owner</c> is <see cref="Owner"/> (compared
/// exactly, as stored), and what hangs off them. Figures computed over the whole company are hidden unless
/// <see cref="CompanyTotals"/> is true.
/// </summary>
/// <param name="Owner">The CRM owner name the caller is; never empty.</param>
/// <param name="CompanyTotals">Whether the caller may also see totals over the whole company (never its records).</param>
public sealed record DataScope(string Owner, bool CompanyTotals);
