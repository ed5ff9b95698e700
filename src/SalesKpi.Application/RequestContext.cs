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
    /// for every call, as the CLI does.
    /// </summary>
    public WorkspacePool? Pool { get; init; }

    /// <summary>Opens the workspace with <paramref name="access"/>, waiting up to <see cref="Wait"/>; a read-only open comes from <see cref="Pool"/> when there is one.</summary>
    public Workspace Open(WorkspaceAccess access)
    {
        var wait = new WorkspaceWait(Wait, m => Waiting?.Invoke(m.Render(Language)), Clock);
        return access == WorkspaceAccess.ReadOnly && Pool is { } pool ? pool.Rent(WorkspacePath, wait) : Workspace.Open(WorkspacePath, access, wait);
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
