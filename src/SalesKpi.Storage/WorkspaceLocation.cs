using SalesKpi.Core;

namespace SalesKpi.Storage;

/// <summary>
/// Where a workspace lives, as <c>--db</c> (or <c>SALESKPI_DB</c>) names it: a DuckDB file path, or a workspace inside a
/// PostgreSQL database — a URL <c>postgres://user[:password]@host[:port]/database?workspace=NAME</c> (also
/// <c>postgresql://</c>) or an Npgsql connection string (<c>Host=…;Database=…</c>) with <c>Workspace=NAME</c> in it
/// (the CLI's <c>--workspace</c> adds that key). Parsing does not touch the file or the server.
/// </summary>
public static class WorkspaceLocation
{
    /// <summary>
    /// True when <paramref name="db"/> names a PostgreSQL workspace (a <c>postgres://</c> or <c>postgresql://</c> URL,
    /// or a connection string with a <c>Host=</c> key) rather than a file; false for null or empty.
    /// </summary>
    public static bool IsServer(string? db) =>
        !string.IsNullOrWhiteSpace(db)
        && (db.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || db.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            || db.Contains("Host=", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// <paramref name="db"/> with the workspace <paramref name="workspace"/> named in it: unchanged for a file, a
    /// <c>?workspace=</c> query for a URL, a <c>Workspace=</c> key for a connection string; unchanged when
    /// <paramref name="workspace"/> is null. Throws <see cref="SalesKpiException"/> when a name is given for a file.
    /// </summary>
    public static string WithWorkspace(string db, string? workspace)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (workspace is null)
        {
            return db;
        }

        if (!IsServer(db))
        {
            throw new SalesKpiException(Msg.Of(
                "workspace.name_for_file",
                "--workspace names a workspace inside a PostgreSQL database; {0} is a DuckDB file, which holds one workspace: drop --workspace.",
                "--workspace задаёт рабочую область в базе PostgreSQL; {0} — файл DuckDB с одной рабочей областью: уберите --workspace.",
                db));
        }

        return db.Contains("://", StringComparison.Ordinal)
            ? db + (db.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "workspace=" + Uri.EscapeDataString(workspace)
            : db.TrimEnd(';') + ";Workspace=" + workspace;
    }

    /// <summary>
    /// The folder where files that belong to the workspace (import reports, the KPI-system file) go by default: the
    /// workspace file's folder, or for a PostgreSQL workspace the current directory.
    /// </summary>
    public static string LocalFolder(string db) =>
        IsServer(db) ? Environment.CurrentDirectory : System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(db))!;

    /// <summary>
    /// The name those files are named after: the workspace file's name (<paramref name="withExtension"/> keeps its
    /// extension), or a PostgreSQL workspace's name.
    /// </summary>
    public static string LocalName(string db, bool withExtension) =>
        IsServer(db) ? Postgres.PostgresLocation.Parse(db).Workspace
        : withExtension ? System.IO.Path.GetFileName(db) : System.IO.Path.GetFileNameWithoutExtension(db);

    /// <summary>
    /// The workspace's location as messages show it: the full path of a file (relative to the current directory), or
    /// the PostgreSQL URL without its password.
    /// </summary>
    public static string Display(string db) =>
        IsServer(db) ? Postgres.PostgresLocation.Parse(db).Display : System.IO.Path.GetFullPath(db);
}
