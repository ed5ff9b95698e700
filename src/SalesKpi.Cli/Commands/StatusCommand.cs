using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesKpi.Cli.Commands;

internal sealed class StatusSettings : WorkspaceCommandSettings
{
    [CommandOption("--imports <N>")]
    [LocDescription("How many of the last imports to list (default 5).", "Сколько последних импортов показать (по умолчанию 5).")]
    public int Imports { get; init; } = 5;
}

internal sealed class StatusCommand : Command<StatusSettings>
{
    public override int Execute(CommandContext context, StatusSettings settings, CancellationToken cancellationToken)
    {
        using var ws = settings.OpenWorkspace(WorkspaceAccess.ReadOnly);
        var zone = ws.Settings.Zone;
        var d = ws.Dialect;
        AnsiConsole.MarkupLine(Markup.Escape(Loc.F(
            "Workspace {0} — time zone {1}, currency {2}, schema {3}",
            "Рабочая область {0} — часовой пояс {1}, валюта {2}, схема {3}",
            ws.Path, ws.Settings.TimeZone, ws.Settings.Currency, ws.SchemaVersion)));

        var entities = new Table().AddColumns(
            Loc.T("entity", "сущность"),
            Loc.T("rows", "строк"),
            Loc.T("from", "с"),
            Loc.T("to", "по"));
        entities.Columns[1].RightAligned();
        var union = string.Join(
            " UNION ALL ",
            EntityCatalog.All.Select((e, i) =>
                $"SELECT {i} AS ord, count(*) AS n, CAST(min({d.Quote(e.DateColumn)}) AS TIMESTAMP) AS lo, CAST(max({d.Quote(e.DateColumn)}) AS TIMESTAMP) AS hi FROM {d.Quote(e.Name)}"));
        foreach (var (ord, n, lo, hi) in ws.Query(union + " ORDER BY ord", r => (r.GetInt32(0), r.GetInt64(1), r.IsDBNull(2) ? (DateTime?)null : r.GetDateTime(2), r.IsDBNull(3) ? (DateTime?)null : r.GetDateTime(3))).ToList())
        {
            var e = EntityCatalog.All[ord];
            entities.AddRow(e.Name, Output.N(n), Format(e, lo, zone), Format(e, hi, zone));
        }

        AnsiConsole.Write(entities);

        var imports = ws.Query(
            "SELECT i.import_id, i.finished_at, i.rows_read, i.rows_stored, i.rows_rejected, string_agg(f.path, '\n' ORDER BY f.path) FROM imports i LEFT JOIN import_files f USING (import_id) GROUP BY ALL ORDER BY i.import_id DESC LIMIT $1",
            r => (Id: r.GetInt32(0), At: r.GetDateTime(1), Read: r.GetInt64(2), Stored: r.GetInt64(3), Rejected: r.GetInt64(4), Files: r.IsDBNull(5) ? string.Empty : r.GetString(5)),
            Math.Max(0, settings.Imports)).ToList();
        if (imports.Count == 0)
        {
            AnsiConsole.MarkupLine(Markup.Escape(Loc.T("No imports yet: run 'saleskpi import <folder>'.", "Импортов ещё не было: выполните «saleskpi import <папка>».")));
            return 0;
        }

        var log = new Table().Title(Loc.T("Last imports", "Последние импорты")).AddColumns(
            "#", Loc.T("when", "когда"), Loc.T("files", "файлы"), Loc.T("read", "прочитано"), Loc.T("stored", "сохранено"), Loc.T("rejected", "отклонено"));
        foreach (var i in imports)
        {
            var files = string.Join("\n", i.Files.Split('\n').Select(Path.GetFileName));
            log.AddRow(
                i.Id.ToString(CultureInfo.InvariantCulture),
                Output.Local(i.At, zone),
                Markup.Escape(files),
                Output.N(i.Read),
                Output.N(i.Stored),
                Output.N(i.Rejected));
        }

        AnsiConsole.Write(log);
        return 0;
    }

    private static string Format(EntityDef e, DateTime? value, TimeZoneInfo zone) =>
        value is not { } v ? "—"
        : e[e.DateColumn].Type == ColumnType.Date ? v.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        : Output.Local(v, zone);
}
