using System.Diagnostics;
using System.Globalization;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Demo;
using SalesKpi.Import;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Cli.Commands;

internal sealed class DemoSettings : GlobalSettings
{
    [CommandOption("--db <FILE>")]
    [LocDescription("Demo workspace file (default: SALESKPI_DB, then ./saleskpi-demo.duckdb); an earlier demo there is replaced.", "Файл демо-области (по умолчанию SALESKPI_DB, затем ./saleskpi-demo.duckdb); прежнее демо в нём заменяется.")]
    public string? Db { get; init; }

    [CommandOption("--out <DIR>")]
    [LocDescription("Where the generated CSV files go (default: saleskpi-demo-data next to the workspace).", "Куда записать CSV (по умолчанию saleskpi-demo-data рядом с файлом области).")]
    public string? Out { get; init; }

    [CommandOption("--leads <N>")]
    [LocDescription("Number of leads; deals, activities, customers… scale with it (default 20000).", "Число лидов; сделки, активности, клиенты… масштабируются (по умолчанию 20000).")]
    public long Leads { get; init; } = 20_000;

    [CommandOption("--seed <S>")]
    [LocDescription("Random seed: the same seed gives the same data (default 42).", "Зерно: одно и то же зерно даёт те же данные (по умолчанию 42).")]
    public int Seed { get; init; } = 42;

    [CommandOption("--dirty")]
    [LocDescription("Add a small share of broken rows, to see the import's rejects report.", "Добавить немного испорченных строк, чтобы увидеть отчёт об отклонённых строках.")]
    public bool Dirty { get; init; }

    public override ValidationResult Validate() =>
        Leads is < 100 or > 100_000_000
            ? ValidationResult.Error(Loc.T("--leads must be between 100 and 100000000.", "--leads должно быть от 100 до 100000000."))
            : base.Validate();
}

internal sealed class DemoCommand(CliHost host) : Command<DemoSettings>
{
    private const string DefaultFile = "saleskpi-demo.duckdb";

    public override int Execute(CommandContext context, DemoSettings settings, CancellationToken cancellationToken)
    {
        var named = host.WorkspacePath(settings.Db, DefaultFile);
        var db = WorkspaceLocation.IsServer(named) ? named : Path.GetFullPath(named);
        var outDir = Path.GetFullPath(settings.Out is { } given ? host.PathOf(given) : Path.Combine(WorkspaceLocation.LocalFolder(db), "saleskpi-demo-data"));
        var trace = ImportCommand.Trace(host, settings);
        var ctx = host.Context(settings, db) with { Trace = trace, User = "saleskpi demo" };
        var demo = new DemoService();
        var generated = demo.Generate(new DemoRequest(outDir, settings.Leads, settings.Seed, settings.Dirty), ctx);
        var (summary, nowLocal, nowUtc) = (generated.Summary, generated.NowLocal, host.Clock.GetUtcNow());
        host.Console.MarkupLine(Markup.Escape(Loc.F(
            "Generated {0} rows of a service company's sales history ({1:yyyy-MM-dd} – {2:yyyy-MM-dd}) in {3:F1} s: {4}",
            "Сгенерировано {0} строк истории продаж сервисной компании ({1:yyyy-MM-dd} – {2:yyyy-MM-dd}) за {3:F1} с: {4}",
            Output.N(summary.Rows.Values.Sum()), summary.Start, summary.End, summary.Elapsed.TotalSeconds,
            string.Join(", ", summary.Rows.Select(kv => $"{kv.Key} {Output.N(kv.Value)}")))));
        host.Console.MarkupLine(Markup.Escape(Loc.F("Files: {0}", "Файлы: {0}", outDir)));
        trace?.Invoke(string.Create(CultureInfo.InvariantCulture, $"generated {summary.Rows.Values.Sum()} rows in {summary.Elapsed.TotalSeconds:F3} s"));

        var watch = Stopwatch.StartNew();
        ImportReport report;
        using (var job = new ImportService().Prepare(new ImportRequest([outDir], null, Strict: false, DryRun: false), ctx))
        {
            report = ImportCommand.RunWithProgress(host, job, cancellationToken);
        }

        if (settings.Dirty || report.Rejected > 0)
        {
            ImportCommand.Print(host, report);
        }
        else
        {
            host.Console.MarkupLine(Markup.Escape(Loc.F("Imported {0} rows in {1:F1} s.", "Импортировано {0} строк за {1:F1} с.", Output.N(report.Stored), watch.Elapsed.TotalSeconds)));
        }

        Scorecard(demo.Scorecard(ctx));
        var system = demo.SetUpKpiSystem(ctx);
        host.Console.MarkupLine(Markup.Escape(Loc.F(
            "KPI system: {0}, with {1} targets suggested from history for {2} and the four quarters before.",
            "Система KPI: {0}, {1} целей, предложенных по истории, на {2} и четыре предыдущих квартала.",
            system.File,
            system.Targets,
            system.Quarter.Label)));
        var targets = system.Targets;
        var dbArg = " --db " + Invocation.Quote(host.WorkspaceArgument(settings.Db, DefaultFile));
        var saleskpi = host.Invocation;
        var quarter = TimeRules.LastCompleteQuarter(nowUtc, TimeZoneInfo.FindSystemTimeZoneById(DemoService.Zone)).Label;
        host.Console.WriteLine();
        host.Console.MarkupLine("[bold]" + Markup.Escape(Loc.T("Next, try:", "Что дальше:")) + "[/]");
        foreach (var (cmd, en, ru) in new[]
        {
            ($"{saleskpi} scorecard{dbArg}", "this quarter against its targets, with pacing and goal attainment", "текущий квартал против целей, с прогнозом и достижением целей"),
            ($"{saleskpi} review{dbArg}", $"which of the {targets} demo targets were too easy or out of reach", $"какие из {targets} демо-целей были слишком лёгкими или недостижимыми"),
            ($"{saleskpi} report{dbArg} --period {quarter} --by owner --kpi win_rate,sales_cycle_length,average_deal_size", "how the reps compare", "как отличаются менеджеры"),
            ($"{saleskpi} report{dbArg} --period {nowLocal.Year - 1} --grain month --kpi leads,cost_per_lead,lead_to_sql_rate --by channel", "which channels bring leads that convert, and at what cost", "какие каналы дают конвертируемых лидов и почём"),
            ($"{saleskpi} diagnose{dbArg} --compare year", "what changed significantly, and who drives it", "что значимо изменилось и кто за этим стоит"),
            ($"{saleskpi} funnel{dbArg} --period {quarter}", "where deals and time are lost", "где теряются сделки и время"),
            ($"{saleskpi} explain win_rate{dbArg} --period {quarter}", "every number can be checked against its deals", "каждую цифру можно проверить по сделкам"),
            ($"{saleskpi} simulate{dbArg} --set leads.referral=+30% --set win_rate=+2pp", "what next quarter brings if you change a lever", "что даст следующий квартал, если изменить рычаг"),
            ($"{saleskpi} serve{dbArg}", "the dashboard for the team at http://127.0.0.1:5080/ (it prints the admin's first password)", "панель для команды на http://127.0.0.1:5080/ (выводит первый пароль admin)"),
        })
        {
            host.Console.MarkupLine($"  [cyan]{Markup.Escape(cmd)}[/]  [grey]# {Markup.Escape(Loc.T(en, ru))}[/]");
        }

        return report.ExitCode == 1 ? 1 : 0;
    }

    /// <summary>The last complete quarter against the one before, with direction-aware changes.</summary>
    private void Scorecard(DemoScorecard demo)
    {
        var (current, previous, report, currency) = (demo.Current, demo.Previous, demo.Report, demo.Currency);
        var table = new Table()
            .Title(Markup.Escape(Loc.F("Scorecard: {0} against {1}", "Показатели: {0} против {1}", current.Label, previous.Label)))
            .AddColumns(Loc.T("KPI", "KPI"), previous.Label, current.Label, Loc.T("change", "изменение"));
        table.Columns[1].RightAligned();
        table.Columns[2].RightAligned();
        table.Columns[3].RightAligned();
        foreach (var kpi in KpiCatalog.All)
        {
            var before = report.Results.Single(r => r.Kpi == kpi && r.Period.Label == previous.Label);
            var after = report.Results.Single(r => r.Kpi == kpi && r.Period.Label == current.Label);
            table.AddRow(
                Markup.Escape(kpi.Name),
                Markup.Escape(KpiFormat.Value(kpi, before.Value, currency)),
                Markup.Escape(KpiFormat.Value(kpi, after.Value, currency)),
                KpiFormat.Change(kpi, before.Value, after.Value));
        }

        host.Console.Write(table);
        host.Console.MarkupLine("[grey]" + Markup.Escape(Loc.T(
            "Green is better, red is worse, given which way each KPI improves; ratios change in percentage points. Intervals and sample sizes: saleskpi report.",
            "Зелёное — лучше, красное — хуже с учётом того, в какую сторону улучшается KPI; доли меняются в процентных пунктах. Интервалы и размеры выборок: saleskpi report.")) + "[/]");
    }
}
