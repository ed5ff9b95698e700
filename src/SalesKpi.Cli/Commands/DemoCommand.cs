using System.Diagnostics;
using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Demo;
using SalesKpi.Import;
using SalesKpi.Metrics;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

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

    public string DbPath => WorkspaceCommandSettings.Resolve(Db, "saleskpi-demo.duckdb");

    public override ValidationResult Validate() =>
        Leads is < 100 or > 100_000_000
            ? ValidationResult.Error(Loc.T("--leads must be between 100 and 100000000.", "--leads должно быть от 100 до 100000000."))
            : base.Validate();
}

internal sealed class DemoCommand(CliHost host) : Command<DemoSettings>
{
    private const string Zone = "Europe/Moscow";

    public override int Execute(CommandContext context, DemoSettings settings, CancellationToken cancellationToken)
    {
        var db = Path.GetFullPath(settings.DbPath);
        ReplaceEarlierDemo(db);
        var outDir = Path.GetFullPath(settings.Out ?? Path.Combine(Path.GetDirectoryName(db)!, "saleskpi-demo-data"));
        using var ws = Workspace.Create(db, new WorkspaceSettings(Zone, "RUB"), host.Clock);
        ws.WriteSetting("demo", "true");
        var zone = ws.Settings.Zone;
        var nowUtc = host.Clock.GetUtcNow();
        var nowLocal = TimeZoneInfo.ConvertTimeFromUtc(nowUtc.UtcDateTime, zone);

        var summary = DemoGenerator.Write(outDir, new DemoOptions { Leads = settings.Leads, Seed = settings.Seed, Dirty = settings.Dirty, Now = nowLocal });
        AnsiConsole.MarkupLine(Markup.Escape(Loc.F(
            "Generated {0} rows of a service company's sales history ({1:yyyy-MM-dd} – {2:yyyy-MM-dd}) in {3:F1} s: {4}",
            "Сгенерировано {0} строк истории продаж сервисной компании ({1:yyyy-MM-dd} – {2:yyyy-MM-dd}) за {3:F1} с: {4}",
            Output.N(summary.Rows.Values.Sum()), summary.Start, summary.End, summary.Elapsed.TotalSeconds,
            string.Join(", ", summary.Rows.Select(kv => $"{kv.Key} {Output.N(kv.Value)}")))));
        AnsiConsole.MarkupLine(Markup.Escape(Loc.F("Files: {0}", "Файлы: {0}", outDir)));
        var trace = ImportCommand.Trace(settings);
        trace?.Invoke(string.Create(CultureInfo.InvariantCulture, $"generated {summary.Rows.Values.Sum()} rows in {summary.Elapsed.TotalSeconds:F3} s"));

        var watch = Stopwatch.StartNew();
        var report = ImportCommand.RunWithProgress(ws, new ImportOptions { Paths = [outDir], Trace = trace }, host.Clock, cancellationToken);
        if (settings.Dirty || report.Rejected > 0)
        {
            ImportCommand.Print(report);
        }
        else
        {
            AnsiConsole.MarkupLine(Markup.Escape(Loc.F("Imported {0} rows in {1:F1} s.", "Импортировано {0} строк за {1:F1} с.", Output.N(report.Stored), watch.Elapsed.TotalSeconds)));
        }

        Scorecard(ws, nowUtc);
        var targets = SetUpKpiSystem(ws, db, nowUtc);
        var dbArg = " --db " + Invocation.Quote(settings.DbPath);
        var saleskpi = Invocation.Current;
        var quarter = TimeRules.LastCompleteQuarter(nowUtc, zone).Label;
        AnsiConsole.WriteLine();
        AnsiConsole.MarkupLine("[bold]" + Markup.Escape(Loc.T("Next, try:", "Что дальше:")) + "[/]");
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
        })
        {
            AnsiConsole.MarkupLine($"  [cyan]{Markup.Escape(cmd)}[/]  [grey]# {Markup.Escape(Loc.T(en, ru))}[/]");
        }

        return report.ExitCode == 1 ? 1 : 0;
    }

    /// <summary>
    /// Writes the example KPI system beside the demo workspace, applies it, and sets targets for the current
    /// quarter and the four before it from each one's own history (what a planner would have suggested then).
    /// </summary>
    private int SetUpKpiSystem(Workspace ws, string db, DateTimeOffset now)
    {
        var file = KpiSystemFile.PathFor(db);
        File.WriteAllText(file, KpiSystemTemplate.Text);
        var config = KpiSystemTemplate.Config;
        ConfigStore.Apply(ws, config, "demo: example KPI system", "saleskpi demo", host.Clock);
        var advisor = new TargetAdvisor(ws, host.Clock);
        var quarter = Period.Quarter(DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now.UtcDateTime, ws.Settings.Zone)));
        var targets = new List<Core.Config.Target>();
        for (var (p, i) = (quarter, 0); i < 5; (p, i) = (p.Previous(), i + 1))
        {
            targets.AddRange(advisor.Suggest(config, config.ActiveKpis(), p, [], 0.5)
                .Where(s => s.Value is not null && s.Kpi.Def.Direction != KpiDirection.Neutral)
                .Select(s => new Core.Config.Target { Kpi = s.Kpi.Id, Period = p.Label, Value = s.Value!.Value, TolerancePercent = 5 }));
        }

        ConfigStore.Apply(ws, config with { Targets = [.. targets] }, "demo: targets suggested from history", "saleskpi demo", host.Clock);
        AnsiConsole.MarkupLine(Markup.Escape(Loc.F(
            "KPI system: {0}, with {1} targets suggested from history for {2} and the four quarters before.",
            "Система KPI: {0}, {1} целей, предложенных по истории, на {2} и четыре предыдущих квартала.",
            file,
            targets.Count,
            quarter.Label)));
        return targets.Count;
    }

    private static void ReplaceEarlierDemo(string db)
    {
        if (!File.Exists(db))
        {
            return;
        }

        bool isDemo;
        using (var old = Workspace.Open(db))
        {
            isDemo = old.ReadSettings("demo").ContainsKey(string.Empty);
        }

        if (!isDemo)
        {
            throw new SalesKpiException(Loc.F(
                "{0} is a workspace with your own data, not a demo: give the demo another file with --db.",
                "{0} — рабочая область с вашими данными, а не демо: укажите для демо другой файл через --db.",
                db));
        }

        File.Delete(db);
        File.Delete(db + ".wal");
    }

    /// <summary>The last complete quarter against the one before, with direction-aware changes.</summary>
    private static void Scorecard(Workspace ws, DateTimeOffset now)
    {
        var zone = ws.Settings.Zone;
        var current = TimeRules.LastCompleteQuarter(now, zone);
        var previous = current.Previous();
        var report = new KpiEngine(ws).Run(new ReportRequest
        {
            Period = Period.Range(previous.Start, current.End),
            Grain = Grain.Quarter,
            AsOf = now,
            Parameters = ParameterStore.Load(ws),
        });
        var currency = ws.Settings.Currency;
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

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]" + Markup.Escape(Loc.T(
            "Green is better, red is worse, given which way each KPI improves; ratios change in percentage points. Intervals and sample sizes: saleskpi report.",
            "Зелёное — лучше, красное — хуже с учётом того, в какую сторону улучшается KPI; доли меняются в процентных пунктах. Интервалы и размеры выборок: saleskpi report.")) + "[/]");
    }
}
