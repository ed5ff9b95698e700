using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Import;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesKpi.Cli.Commands;

internal sealed class ImportSettings : WorkspaceCommandSettings
{
    [CommandArgument(0, "<PATH>")]
    [LocDescription("Folders (every *.csv and *.xlsx inside) or files: leads.csv, deals.csv, deal_stages.csv, activities.csv, spend.csv, customers.csv, revenue.csv, nps.csv — or the export files a --profile names.", "Папки (все *.csv и *.xlsx в них) или файлы: leads.csv, deals.csv, deal_stages.csv, activities.csv, spend.csv, customers.csv, revenue.csv, nps.csv — или файлы выгрузки, которые описывает --profile.")]
    public string[] Paths { get; init; } = [];

    [CommandOption("--profile <FILE|NAME>")]
    [LocDescription("Read the files through a mapping profile instead of as canonical CSV: a YAML file, or a built-in one (amocrm, bitrix24, hubspot, pipedrive, salesforce); see docs/profiles.md.", "Читать файлы через профиль сопоставления, а не как канонический CSV: YAML-файл или встроенный (amocrm, bitrix24, hubspot, pipedrive, salesforce); см. docs/profiles.md.")]
    public string? Profile { get; init; }

    [CommandOption("--dry-run")]
    [LocDescription("Read, map and validate everything, show the first mapped rows and the summary, store and write nothing.", "Прочитать, сопоставить и проверить всё, показать первые строки и итог, ничего не сохраняя и не записывая.")]
    public bool DryRun { get; init; }

    [CommandOption("--strict")]
    [LocDescription("Store nothing if any row or file is rejected.", "Ничего не сохранять, если отклонена хоть одна строка или файл.")]
    public bool Strict { get; init; }
}

internal sealed class ImportCommand(CliHost host) : Command<ImportSettings>
{
    public override int Execute(CommandContext context, ImportSettings settings, CancellationToken cancellationToken)
    {
        var ctx = host.Context(settings) with { Trace = Trace(host, settings) };
        var request = new ImportRequest([.. settings.Paths.Select(host.PathOf)], Profile(settings.Profile), settings.Strict, settings.DryRun) { AtStage = host.ImportFaults() };
        using var job = new ImportService().Prepare(request, ctx);
        var report = RunWithProgress(host, job, cancellationToken);
        Print(host, report);
        return report.ExitCode;
    }

    // A built-in profile is a bare name; anything that exists as a file, or looks like a path, is a file of this run's folder.
    private string? Profile(string? profile) =>
        profile is null || (!File.Exists(host.PathOf(profile)) && !Path.HasExtension(profile) && profile.IndexOfAny(['/', '\\']) < 0)
            ? profile
            : host.PathOf(profile);

    /// <summary>Runs an import on a worker thread while the progress display (after one second) runs here.</summary>
    internal static ImportReport RunWithProgress(CliHost host, ImportJob job, CancellationToken cancellationToken)
    {
        var progress = new ImportProgress(host, job.Files);
        var run = Task.Run(() => job.Run(progress, cancellationToken), cancellationToken);
        progress.ShowWhileRunning(run);
        return run.GetAwaiter().GetResult();
    }

    /// <summary>Phase timings to stderr under --verbose.</summary>
    internal static Action<string>? Trace(CliHost host, GlobalSettings settings) =>
        settings.Verbose ? line => host.Error.WriteLine("trace: " + line) : null;

    internal static void Print(CliHost host, ImportReport report)
    {
        foreach (var s in report.Skipped)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.F("skipped {0}: {1}", "пропущен {0}: {1}", Path.GetFileName(s.Path), s.Reason.Render(Loc.Current))));
        }

        foreach (var f in report.Files)
        {
            var name = Path.GetFileName(f.Path);
            var entity = f.Entity is null ? string.Empty : $" → {f.Entity}";
            var counts = Loc.F("read {0} = stored {1} + rejected {2}", "прочитано {0} = сохранено {1} + отклонено {2}", Output.N(f.Read), Output.N(f.Stored), Output.N(f.Rejected));
            var colour = f.Error is not null ? "red" : f.Rejected > 0 ? "yellow" : "green";
            host.Console.MarkupLine($"[{colour}]{Markup.Escape(name + entity)}[/]: {Markup.Escape(counts)}");
            if (f.Error is not null)
            {
                host.Console.MarkupLine("  [red]" + Markup.Escape(Loc.F("file rejected: {0}", "файл отклонён: {0}", f.Error.Render(Loc.Current))) + "[/]");
                if (f.RejectsPath is not null)
                {
                    host.Console.MarkupLine("  " + Markup.Escape(Loc.F("its rows with the reason: {0}", "его строки с причиной: {0}", f.RejectsPath)));
                }

                continue;
            }

            if (f.Stored > 0)
            {
                var detail = Loc.F("new {0}, replaced {1}", "новых {0}, заменено {1}", Output.N(f.Inserted), Output.N(f.Replaced));
                if (f.Merged > 0)
                {
                    detail += Loc.F(", merged into same-key rows {0}", ", слито со строками того же ключа {0}", Output.N(f.Merged));
                }

                host.Console.MarkupLine("  " + Markup.Escape(detail));
            }

            if (f.IgnoredColumns.Count > 0)
            {
                host.Console.MarkupLine("  [yellow]" + Markup.Escape(Loc.F("warning: ignored unknown columns: {0}", "предупреждение: пропущены неизвестные столбцы: {0}", string.Join(", ", f.IgnoredColumns))) + "[/]");
            }

            foreach (var w in f.Warnings)
            {
                var lines = string.Join(", ", w.SampleLines) + (w.Count > w.SampleLines.Count ? ", …" : string.Empty);
                host.Console.MarkupLine("  [yellow]" + Markup.Escape(Loc.F("warning: {0} — {1} row(s), lines {2}", "предупреждение: {0} — строк: {1}, строки {2}", w.Message.Render(Loc.Current), Output.N(w.Count), lines)) + "[/]");
            }

            if (f.Preview.Count > 0)
            {
                var preview = new Table().AddColumns(f.Preview[0].Keys.Select(k => new TableColumn(Markup.Escape(k))).ToArray());
                foreach (var row in f.Preview)
                {
                    preview.AddRow(row.Values.Select(v => Markup.Escape(v switch
                    {
                        null => "—",
                        DateTime t => t.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC",
                        DateOnly day => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC",
                        IFormattable x => x.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                        _ => v.ToString() ?? string.Empty,
                    })).ToArray());
                }

                host.Console.Write(preview);
            }

            if (f.RejectsPath is not null)
            {
                host.Console.MarkupLine("  " + Markup.Escape(Loc.F("rejected rows with line, column and reason: {0}", "отклонённые строки со строкой, столбцом и причиной: {0}", f.RejectsPath)));
            }
        }

        if (report.WarningsPath is not null)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.F("All warnings, row by row: {0}", "Все предупреждения построчно: {0}", report.WarningsPath)));
        }

        var total = Loc.F("Total: read {0} = stored {1} + rejected {2}", "Итого: прочитано {0} = сохранено {1} + отклонено {2}", Output.N(report.Read), Output.N(report.Stored), Output.N(report.Rejected));
        if (report.DryRun)
        {
            var would = Loc.F("Dry run: read {0} = would store {1} + rejected {2}; nothing was stored and no file was written.", "Пробный запуск: прочитано {0} = было бы сохранено {1} + отклонено {2}; ничего не сохранено и не записано.", Output.N(report.Read), Output.N(report.Files.Sum(f => f.Stored)), Output.N(report.Rejected));
            host.Console.MarkupLine("[yellow]" + Markup.Escape(would) + "[/]");
        }
        else if (report.RolledBack)
        {
            host.Console.MarkupLine("[red]" + Markup.Escape(total + ". " + Loc.T("--strict: something was rejected, so nothing was stored.", "--strict: есть отклонённые данные, поэтому ничего не сохранено.")) + "[/]");
        }
        else
        {
            host.Console.MarkupLine(Markup.Escape(total + Loc.F(" (import #{0}).", " (импорт №{0}).", report.ImportId)));
        }
    }
}
