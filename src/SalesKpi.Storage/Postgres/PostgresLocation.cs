using Npgsql;
using SalesKpi.Core;

namespace SalesKpi.Storage.Postgres;

/// <summary>
/// A parsed PostgreSQL workspace location: the connection string Npgsql opens (without the workspace name) and the
/// workspace's name inside the database. See <see cref="WorkspaceLocation"/> for the accepted spellings.
/// </summary>
/// <param name="ConnectionString">What Npgsql connects with; it holds the password when one was given.</param>
/// <param name="Workspace">The workspace name: 1–63 letters, digits, <c>_</c>, <c>-</c> or <c>.</c>.</param>
/// <param name="Display">The location as messages show it: a URL without the password.</param>
public sealed record PostgresLocation(string ConnectionString, string Workspace, string Display)
{
    /// <summary>Parses <paramref name="db"/>; throws <see cref="SalesKpiException"/> saying what to fix.</summary>
    public static PostgresLocation Parse(string db)
    {
        ArgumentNullException.ThrowIfNull(db);
        NpgsqlConnectionStringBuilder b;
        string? workspace;
        try
        {
            (b, workspace) = db.Contains("://", StringComparison.Ordinal) ? FromUrl(db) : FromKeywords(db);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or UriFormatException or KeyNotFoundException)
        {
            throw Invalid(db, ex.Message);
        }

        if (string.IsNullOrEmpty(workspace))
        {
            throw new SalesKpiException(Msg.Of(
                "workspace.pg_no_name",
                "{0} names a PostgreSQL database but no workspace in it: add ?workspace=NAME to the URL (or --workspace NAME).",
                "{0} указывает базу PostgreSQL, но не рабочую область в ней: добавьте к адресу ?workspace=ИМЯ (или --workspace ИМЯ).",
                Redact(db)));
        }

        if (workspace.Length > 63 || !workspace.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new SalesKpiException(Msg.Of(
                "workspace.pg_bad_name",
                "'{0}' is not a workspace name: use 1–63 Latin letters, digits, '_', '-' or '.'.",
                "«{0}» — не имя рабочей области: используйте 1–63 латинские буквы, цифры, «_», «-» или «.».",
                workspace));
        }

        // Session state (the workspace's views and setting) is made per open; pooled connections are reset on return.
        b.SearchPath = PostgresWorkspace.Schema;
        b.Timezone = "UTC";
        b.ApplicationName ??= "saleskpi";

        // Like a workspace file, a long report or import is never cut off by a client-side timeout unless one is given.
        if (!db.Contains("timeout", StringComparison.OrdinalIgnoreCase))
        {
            b.CommandTimeout = 0;
        }
        var display = $"postgres://{Uri.EscapeDataString(b.Username ?? string.Empty)}@{b.Host}:{b.Port}/{b.Database}?workspace={workspace}";
        return new PostgresLocation(b.ConnectionString, workspace, display);
    }

    private static (NpgsqlConnectionStringBuilder, string?) FromUrl(string db)
    {
        var uri = new Uri(db);
        var b = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (uri.Port > 0)
        {
            b.Port = uri.Port;
        }

        var user = uri.UserInfo.Split(':', 2);
        if (user[0].Length > 0)
        {
            b.Username = Uri.UnescapeDataString(user[0]);
        }

        if (user.Length > 1)
        {
            b.Password = Uri.UnescapeDataString(user[1]);
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            b.Database = database;
        }

        string? workspace = null;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var value = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : string.Empty;
            if (key.Equals("workspace", StringComparison.OrdinalIgnoreCase))
            {
                workspace = value;
            }
            else
            {
                // Any other parameter is an Npgsql keyword (sslmode=require, timeout=30, …).
                b[key] = value;
            }
        }

        return (b, workspace);
    }

    private static (NpgsqlConnectionStringBuilder, string?) FromKeywords(string db)
    {
        var b = new NpgsqlConnectionStringBuilder(db);
        string? workspace = null;
        if (b.Remove("Workspace") is var removed && removed)
        {
            // Remove cannot return the value; parse it from the text (the last one wins, like the builder).
            workspace = db.Split(';').Select(p => p.Split('=', 2))
                .LastOrDefault(kv => kv.Length == 2 && kv[0].Trim().Equals("Workspace", StringComparison.OrdinalIgnoreCase))?[1].Trim();
        }

        return (b, workspace);
    }

    private static SalesKpiException Invalid(string db, string why) => new(Msg.Of(
        "workspace.pg_invalid",
        "{0} is not a PostgreSQL location SalesKpi understands ({1}): write postgres://user@host:5432/database?workspace=NAME.",
        "{0} — не адрес PostgreSQL, понятный SalesKpi ({1}): пишите postgres://пользователь@хост:5432/база?workspace=ИМЯ.",
        Redact(db), why.TrimEnd('.')));

    /// <summary><paramref name="db"/> with any password replaced by <c>***</c>, for messages.</summary>
    public static string Redact(string db)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Contains("://", StringComparison.Ordinal))
        {
            var at = db.IndexOf('@', StringComparison.Ordinal);
            var scheme = db.IndexOf("://", StringComparison.Ordinal) + 3;
            var colon = at > scheme ? db.IndexOf(':', scheme, at - scheme) : -1;
            return colon > 0 ? db[..(colon + 1)] + "***" + db[at..] : db;
        }

        return string.Join(';', db.Split(';').Select(p =>
            p.TrimStart().StartsWith("Password", StringComparison.OrdinalIgnoreCase) && p.Contains('=', StringComparison.Ordinal)
                ? p[..(p.IndexOf('=', StringComparison.Ordinal) + 1)] + "***"
                : p));
    }
}
