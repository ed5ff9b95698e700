using System.Globalization;

namespace SalesKpi.Storage;

/// <summary>One recorded change: who did it, when, what kind of change, to what, and with which arguments.</summary>
/// <param name="Id">Increasing id (gaps possible).</param>
/// <param name="AtUtc">When the change was made, UTC.</param>
/// <param name="User">The acting user (the signed-in user on the server, the account name on the command line).</param>
/// <param name="Action">The kind of change, a stable code such as <c>targets.set</c> or <c>import</c>.</param>
/// <param name="Target">What was changed, e.g. <c>win_rate 2026-Q1</c>, a version number or an import id.</param>
/// <param name="Details">The change's arguments as a JSON object.</param>
public sealed record AuditEntry(long Id, DateTime AtUtc, string User, string Action, string Target, string Details);

/// <summary>
/// The audit table of a workspace (schema 5): rows are only ever added. A caller that changes the workspace inside a
/// transaction records its row in that transaction, so the change and its record commit or vanish together.
/// </summary>
public static class AuditLog
{
    /// <summary>Adds one row and returns its id.</summary>
    public static long Record(Workspace ws, DateTime atUtc, string user, string action, string target, string details)
    {
        ArgumentNullException.ThrowIfNull(ws);
        var d = ws.Dialect;
        var id = ws.NextId(IdSequences.Audit);
        ws.Execute(
            $"INSERT INTO audit (id, at_utc, user_name, action, target, details) VALUES ({d.Parameter(1)}, {d.Parameter(2)}, {d.Parameter(3)}, {d.Parameter(4)}, {d.Parameter(5)}, {d.Parameter(6)})",
            id,
            atUtc,
            user,
            action,
            target,
            details);
        return id;
    }

    /// <summary>The latest <paramref name="limit"/> rows, newest first.</summary>
    public static IReadOnlyList<AuditEntry> Recent(Workspace ws, int limit)
    {
        ArgumentNullException.ThrowIfNull(ws);
        return [.. ws.Query(
            $"SELECT id, at_utc, user_name, action, target, details FROM audit ORDER BY id DESC LIMIT {ws.Dialect.Parameter(1)}",
            r => new AuditEntry(
                Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture),
                DateTime.SpecifyKind(r.GetDateTime(1), DateTimeKind.Utc),
                r.GetString(2),
                r.GetString(3),
                r.GetString(4),
                r.GetString(5)),
            (long)limit)];
    }
}
