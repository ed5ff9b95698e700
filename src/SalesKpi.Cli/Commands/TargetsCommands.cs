using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Import;
using SalesKpi.Metrics;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesKpi.Cli.Commands;

/// <summary>Parsing and showing targets for the target commands.</summary>
internal static class TargetText
{
    /// <summary>
    /// Parses a target value as users write it: invariant decimal, and for ratio KPIs also a percentage
    /// (<c>30%</c> = 0.3). Throws with what to write when it is not a number; whether the number is
    /// allowed is the shared rule (<see cref="TargetRules.Problems"/>) checked when the version is stored.
    /// </summary>
    public static decimal Value(SystemKpi? kpi, string id, string text)
    {
        var ratio = kpi?.Def.Unit == KpiUnit.Ratio;
        var t = text.Trim().Replace(" ", string.Empty, StringComparison.Ordinal);
        var percent = t.EndsWith('%');
        if (percent && ratio)
        {
            t = t[..^1];
        }

        if (!decimal.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
        {
            throw new SalesKpiException(Loc.F("'{0}' is not a target value for {1}: write a number with a dot{2}.", "«{0}» — не значение цели для {1}: пишите число через точку{2}.", text, id, ratio ? Loc.T(", e.g. 0.3 or 30%", ", например 0.3 или 30%") : string.Empty));
        }

        return percent && ratio ? v / 100 : v;
    }

    /// <summary>Parses <c>dim=value</c> pairs; which dimensions a KPI has is a rule checked when the version is stored.</summary>
    public static ImmutableSortedDictionary<string, string> Slice(IEnumerable<string> pairs)
    {
        var b = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2 || parts[1].Trim().Length == 0)
            {
                throw new SalesKpiException(Loc.F("--slice '{0}' must be DIMENSION=VALUE, e.g. owner=Иванов Иван.", "--slice «{0}» должен быть ИЗМЕРЕНИЕ=ЗНАЧЕНИЕ, например owner=Иванов Иван.", pair));
            }

            b[parts[0].Trim().ToLowerInvariant()] = parts[1].Trim();
        }

        return b.ToImmutable();
    }

    /// <summary>A change of a KPI in its display unit: percentage points for ratios, signed values otherwise.</summary>
    public static string Delta(KpiDef kpi, double d, string currency) =>
        kpi.Unit == KpiUnit.Ratio
            ? (d * 100).ToString("+0.0;-0.0;0.0", Loc.DisplayCulture) + Loc.T(" pp", " п.п.")
            : (d >= 0 ? "+" : "-") + Magnitude(kpi, Math.Abs(d), currency);

    public static string Spread(KpiDef kpi, double sd, string currency) => "±" + Magnitude(kpi, sd, currency);

    // A non-negative difference in the KPI's unit: percentage points for ratios, unsigned points for NPS.
    private static string Magnitude(KpiDef kpi, double d, string currency) =>
        kpi.Unit == KpiUnit.Ratio
            ? (d * 100).ToString("0.0", Loc.DisplayCulture) + Loc.T(" pp", " п.п.")
            : KpiFormat.Value(kpi with { Unit = kpi.Unit == KpiUnit.Nps ? KpiUnit.Score : kpi.Unit }, (decimal)d, currency);

    /// <summary>One line on how realistic a target is, or null when the check had too little history.</summary>
    public static string? Realism(RealismCheck c, KpiDef kpi, string currency)
    {
        var f = c.Forecast;
        if (f.Forecast is null)
        {
            return Loc.F("not checked: {0} past periods with a value (3 needed)", "не проверено: прошлых периодов со значением — {0} (нужно 3)", f.History.Count);
        }

        var parts = new List<string>();
        if (c.BeyondBest)
        {
            var best = f.History.First(h => h.Value == f.Best);
            parts.Add(Loc.F("beyond the best of the last {0} periods ({1} in {2})", "лучше лучшего значения за {0} периодов ({1} в {2})", f.History.Count, KpiFormat.Value(kpi, best.Value, currency), best.Period.Label));
        }

        parts.Add(Loc.F("{0:P0} estimated chance (forecast {1} {2})", "оценка вероятности {0:P0} (прогноз {1} {2})", c.Probability, KpiFormat.Value(kpi, (decimal)f.Forecast!.Value, currency), Spread(kpi, f.Sd!.Value, currency)));
        return (c.Probability < RealismCheck.Unlikely ? "⚠ " + Loc.T("unlikely: ", "маловероятно: ") : c.Flagged ? "⚠ " : string.Empty) + string.Join("; ", parts);
    }
}

internal sealed class TargetsSetSettings : ConfigChangeSettings
{
    [CommandArgument(0, "<KPI>")]
    [LocDescription("KPI id (catalogue or custom).", "Идентификатор KPI (каталога или пользовательского).")]
    public string Kpi { get; init; } = string.Empty;

    [CommandArgument(1, "<PERIOD>")]
    [LocDescription("A month, quarter or year: 2026-03, 2026-Q1, 2026.", "Месяц, квартал или год: 2026-03, 2026-Q1, 2026.")]
    public string Period { get; init; } = string.Empty;

    [CommandArgument(2, "<VALUE>")]
    [LocDescription("Target value in the KPI's unit; ratios as 0.3 or 30%.", "Целевое значение в единицах KPI; доли как 0.3 или 30%.")]
    public string Value { get; init; } = string.Empty;

    [CommandOption("--slice <DIM=VALUE>")]
    [LocDescription("Set the target for one slice, e.g. --slice owner=\"Иванов Иван\" (repeatable).", "Цель для разреза, например --slice owner=\"Иванов Иван\" (можно повторять).")]
    public string[] Slice { get; init; } = [];

    [CommandOption("--tolerance <PERCENT>")]
    [LocDescription("At-risk band in % of the target (default 5).", "Полоса «под угрозой» в % от цели (по умолчанию 5).")]
    public decimal Tolerance { get; init; } = 5;
}

internal sealed class TargetsSetCommand : Command<TargetsSetSettings>
{
    public override int Execute(CommandContext context, TargetsSetSettings settings, CancellationToken cancellationToken)
    {
        using var ws = settings.OpenWorkspace(WorkspaceAccess.ReadWrite);
        var config = ConfigStore.Current(ws);
        var kpi = TargetsCommandSupport.Find(config, settings.Kpi);
        var id = kpi?.Id ?? settings.Kpi.Trim();
        var period = Period.Parse(settings.Period);
        var target = new Target { Kpi = id, Period = period.Label, Slice = TargetText.Slice(settings.Slice), Value = TargetText.Value(kpi, id, settings.Value), TolerancePercent = settings.Tolerance };
        var reason = settings.Reason ?? string.Create(CultureInfo.InvariantCulture, $"targets set {id} {period.Label} {target.Value}{(target.Slice.IsEmpty ? string.Empty : " " + SystemValues.SliceKey(target.Slice))}");
        TargetsCommandSupport.Store(ws, config, [target], reason, settings, "targets set");
        return 0;
    }
}

internal sealed class TargetsRemoveSettings : ConfigChangeSettings
{
    [CommandArgument(0, "<KPI>")]
    [LocDescription("KPI id.", "Идентификатор KPI.")]
    public string Kpi { get; init; } = string.Empty;

    [CommandArgument(1, "<PERIOD>")]
    [LocDescription("The month, quarter or year of the target.", "Месяц, квартал или год цели.")]
    public string Period { get; init; } = string.Empty;

    [CommandOption("--slice <DIM=VALUE>")]
    [LocDescription("The slice of the target (repeatable); without it, the total's target.", "Разрез цели (можно повторять); без него — цель для итога.")]
    public string[] Slice { get; init; } = [];
}

internal sealed class TargetsRemoveCommand : Command<TargetsRemoveSettings>
{
    public override int Execute(CommandContext context, TargetsRemoveSettings settings, CancellationToken cancellationToken)
    {
        using var ws = settings.OpenWorkspace(WorkspaceAccess.ReadWrite);
        var config = ConfigStore.Current(ws);
        var kpi = config.Find(settings.Kpi.Trim()) ?? TargetsCommandSupport.Kpi(config, settings.Kpi);
        var period = TargetsCommandSupport.TargetPeriod(settings.Period);
        var key = new Target { Kpi = kpi.Id, Period = period.Label, Slice = TargetText.Slice(settings.Slice), Value = 0 }.Key;
        _ = config.Targets.FirstOrDefault(t => t.Key == key)
            ?? throw new SalesKpiException(Loc.F("There is no target for {0} in {1} for {2}: see 'saleskpi targets list'.", "Цели для {0} на {1} для {2} нет: см. «saleskpi targets list».", kpi.Id, period.Label, KpiFormat.Slice(TargetText.Slice(settings.Slice))));
        var before = ConfigStore.Latest(ws);
        var version = ConfigStore.Apply(ws, config with { Targets = [.. config.Targets.Where(t => t.Key != key)] }, settings.Reason ?? "targets remove " + kpi.Id + " " + period.Label, settings.AuthorName, CliApp.Clock, KpiSystemFile.Effective(settings.Effective), "targets remove");
        KpiSystemFile.Applied(version, before?.Document);
        return 0;
    }
}

internal static class TargetsCommandSupport
{
    public static SystemKpi Kpi(KpiSystemConfig config, string id) =>
        config.ActiveKpis().FirstOrDefault(k => string.Equals(k.Id, id.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new SalesKpiException(Loc.F("'{0}' is not an active KPI of this workspace: use one of {1}.", "«{0}» — не активный KPI этой области: используйте один из {1}.", id, string.Join(", ", config.ActiveKpis().Select(k => k.Id))));

    /// <summary>The KPI named <paramref name="id"/> (any case, catalogue or custom, active or not), or null; the target rules decide whether it may have a target.</summary>
    public static SystemKpi? Find(KpiSystemConfig config, string id) =>
        config.Find(id.Trim()) ?? config.Find(id.Trim().ToLowerInvariant());

    public static Period TargetPeriod(string text) => TargetRules.TargetPeriod(Period.Parse(text));

    /// <summary>Adds or replaces <paramref name="targets"/> as a new version, then shows each with its realism check.</summary>
    public static void Store(Workspace ws, KpiSystemConfig config, IReadOnlyList<Target> targets, string reason, ConfigChangeSettings settings, string source)
    {
        var keys = targets.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        var updated = config with { Targets = [.. config.Targets.Where(t => !keys.Contains(t.Key)), .. targets] };
        var before = ConfigStore.Latest(ws);
        var version = ConfigStore.Apply(ws, updated, reason, settings.AuthorName, CliApp.Clock, KpiSystemFile.Effective(settings.Effective), source);
        KpiSystemFile.Applied(version, before?.Document);
        if (version is not null)
        {
            WarnIfNotInForce(ws, version, targets);
        }

        Show(ws, updated, targets, check: true);
    }

    /// <summary>A table of targets; with <paramref name="check"/>, each with its realism check.</summary>
    public static void Show(Workspace ws, KpiSystemConfig config, IReadOnlyList<Target> targets, bool check)
    {
        var currency = ws.Settings.Currency;
        var checks = check ? new TargetAdvisor(ws, CliApp.Clock).Check(config, targets).ToDictionary(c => c.Target.Key) : [];
        var table = new Table().AddColumns("KPI", Loc.T("period", "период"), Loc.T("slice", "разрез"), Loc.T("target", "цель"), Loc.T("tolerance", "допуск"));
        if (check)
        {
            table.AddColumn(Loc.T("realism", "реалистичность"));
        }

        foreach (var t in targets.OrderBy(t => t.Kpi, StringComparer.Ordinal).ThenBy(t => t.Period, StringComparer.Ordinal).ThenBy(t => t.Key, StringComparer.Ordinal))
        {
            var def = config.Find(t.Kpi)?.Def;
            var cells = new List<string>
            {
                Markup.Escape(t.Kpi),
                Markup.Escape(t.Period),
                Markup.Escape(KpiFormat.Slice(t.Slice)),
                Markup.Escape(def is null ? t.Value.ToString(CultureInfo.InvariantCulture) : KpiFormat.Value(def, t.Value, currency)),
                Markup.Escape(t.TolerancePercent.ToString("0.##", Loc.DisplayCulture) + " %"),
            };
            if (check)
            {
                var c = checks.GetValueOrDefault(t.Key);
                var text = c is null || def is null ? string.Empty : TargetText.Realism(c, def, currency) ?? string.Empty;
                cells.Add(c is { Flagged: true } ? "[yellow]" + Markup.Escape(text) + "[/]" : Markup.Escape(text));
            }

            table.AddRow(cells.ToArray());
        }

        AnsiConsole.Write(table);
    }

    private static void WarnIfNotInForce(Workspace ws, ConfigVersion version, IReadOnlyList<Target> targets)
    {
        foreach (var period in targets.Select(t => Period.Parse(t.Period)).DistinctBy(p => p.Label))
        {
            var used = ConfigStore.InForce(ws, period.LastDay);
            if (used is not null && used.Number != version.Number)
            {
                AnsiConsole.MarkupLine("[yellow]" + Markup.Escape(Loc.F(
                    "Note: {0} is evaluated with version {1}, in force then; to make this target count for it, set it with --effective {2:yyyy-MM-dd}.",
                    "Внимание: {0} оценивается по версии {1}, действовавшей тогда; чтобы цель учитывалась, задайте её с --effective {2:yyyy-MM-dd}.",
                    period.Label,
                    used.Number,
                    period.Start)) + "[/]");
            }
        }
    }
}

internal sealed class TargetsListSettings : WorkspaceCommandSettings
{
    [CommandOption("--period <PERIOD>")]
    [LocDescription("Only targets of this month, quarter or year.", "Только цели этого месяца, квартала или года.")]
    public string? Period { get; init; }

    [CommandOption("--kpi <ID>")]
    [LocDescription("Only targets of this KPI.", "Только цели этого KPI.")]
    public string? Kpi { get; init; }

    [CommandOption("--no-check")]
    [LocDescription("Skip the realism check against history (faster).", "Не проверять реалистичность по истории (быстрее).")]
    public bool NoCheck { get; init; }
}

internal sealed class TargetsListCommand : Command<TargetsListSettings>
{
    public override int Execute(CommandContext context, TargetsListSettings settings, CancellationToken cancellationToken)
    {
        using var ws = settings.OpenWorkspace(WorkspaceAccess.ReadOnly);
        var config = ConfigStore.Current(ws);
        var label = settings.Period is null ? null : TargetsCommandSupport.TargetPeriod(settings.Period).Label;
        var targets = config.Targets.Where(t => (label is null || t.Period == label) && (settings.Kpi is null || t.Kpi == settings.Kpi.Trim())).ToList();
        if (targets.Count == 0)
        {
            AnsiConsole.MarkupLine(Markup.Escape(Loc.T("No targets: set one with 'saleskpi targets set win_rate 2026-Q1 30%' or get one from history with 'saleskpi targets suggest win_rate --period 2026-Q1'.", "Целей нет: задайте «saleskpi targets set win_rate 2026-Q1 30%» или получите по истории «saleskpi targets suggest win_rate --period 2026-Q1».")));
            return 0;
        }

        TargetsCommandSupport.Show(ws, config, targets, !settings.NoCheck);
        return 0;
    }
}

internal sealed class TargetsImportSettings : ConfigChangeSettings
{
    [CommandArgument(0, "<FILE>")]
    [LocDescription("CSV with columns kpi, period, value and optionally tolerance and dimension columns (channel, owner, …) for slices.", "CSV со столбцами kpi, period, value и, при необходимости, tolerance и столбцами измерений (channel, owner, …) для разрезов.")]
    public string File { get; init; } = string.Empty;
}

internal sealed class TargetsImportCommand : Command<TargetsImportSettings>
{
    public override int Execute(CommandContext context, TargetsImportSettings settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.File))
        {
            throw new SalesKpiException(Loc.F("There is no file {0}.", "Файла {0} нет.", Path.GetFullPath(settings.File)));
        }

        using var ws = settings.OpenWorkspace(WorkspaceAccess.ReadWrite);
        var config = ConfigStore.Current(ws);
        var (targets, errors) = Read(settings.File, config);
        if (errors.Count > 0)
        {
            foreach (var e in errors)
            {
                Console.Error.WriteLine(e);
            }

            throw new SalesKpiException(Loc.F("{0} has {1} error(s); no target was stored. Fix them and import again.", "В {0} ошибок: {1}; цели не сохранены. Исправьте и импортируйте снова.", settings.File, errors.Count));
        }

        TargetsCommandSupport.Store(ws, config, targets, settings.Reason ?? "targets import " + Path.GetFileName(settings.File), settings, "targets import");
        return 0;
    }

    /// <summary>Reads every row; returns the targets, or every problem as <c>file:line:column: message</c>.</summary>
    internal static (List<Target> Targets, List<string> Errors) Read(string path, KpiSystemConfig config)
    {
        var targets = new List<Target>();
        var errors = new List<string>();
        using var text = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var reader = new CsvRecordReader(text);
        if (!reader.Read())
        {
            errors.Add(Loc.F("{0}: the file is empty; the first line must be a header: kpi,period,value[,tolerance][,channel,owner,…].", "{0}: файл пуст; первая строка — заголовок: kpi,period,value[,tolerance][,channel,owner,…].", path));
            return (targets, errors);
        }

        var header = Enumerable.Range(0, reader.FieldCount).Select(i => reader[i].ToString().Trim().ToLowerInvariant()).ToList();
        foreach (var required in new[] { "kpi", "period", "value" }.Where(r => !header.Contains(r)))
        {
            errors.Add(Loc.F("{0}:1: the header has no column '{1}' (it has {2}).", "{0}:1: в заголовке нет столбца «{1}» (есть {2}).", path, required, string.Join(", ", header)));
        }

        foreach (var (name, i) in header.Select((h, i) => (h, i)).Where(x => x.h is not ("kpi" or "period" or "value" or "tolerance") && !KpiCatalog.AllDimensions.Contains(x.h)))
        {
            errors.Add(Loc.F("{0}:1:{1}: unknown column '{2}': use kpi, period, value, tolerance or a dimension ({3}).", "{0}:1:{1}: неизвестный столбец «{2}»: используйте kpi, period, value, tolerance или измерение ({3}).", path, i + 1, name, string.Join(", ", KpiCatalog.AllDimensions)));
        }

        if (errors.Count > 0)
        {
            return (targets, errors);
        }

        while (reader.Read())
        {
            var line = reader.Line;
            string Cell(string name) => header.IndexOf(name) is var i and >= 0 && i < reader.FieldCount ? reader[i].ToString().Trim() : string.Empty;

            // Every field is checked, so one pass lists all the problems of a row, each at its column.
            bool Try<T>(string column, string code, Func<T> parse, out T value)
            {
                try
                {
                    value = parse();
                    return true;
                }
                catch (SalesKpiException ex)
                {
                    errors.Add(new ConfigIssue(path, (int)line, header.IndexOf(column) + 1, code, ex.Message).ToString());
                    value = default!;
                    return false;
                }
            }

            var dims = header.Where(KpiCatalog.AllDimensions.Contains).Where(d => Cell(d).Length > 0).ToList();
            var kpi = TargetsCommandSupport.Find(config, Cell("kpi"));
            var id = kpi?.Id ?? Cell("kpi");
            var okPeriod = Try("period", "KS113", () => Period.Parse(Cell("period")), out var period);
            var okValue = Try("value", "KS106", () => TargetText.Value(kpi, id, Cell("value")), out var value);
            var okTolerance = Try(
                "tolerance",
                "KS106",
                () => Cell("tolerance") is { Length: > 0 } tt
                    ? decimal.TryParse(tt, NumberStyles.Float, CultureInfo.InvariantCulture, out var tv) ? tv : throw new SalesKpiException(Loc.F("tolerance '{0}' is not a number: write a percentage from 0 to 100.", "tolerance «{0}» — не число: пишите процент от 0 до 100.", tt))
                    : 5m,
                out var tolerance);
            var target = new Target { Kpi = id, Period = okPeriod ? period.Label : Cell("period"), Slice = TargetText.Slice(dims.Select(d => d + "=" + Cell(d))), Value = value, TolerancePercent = tolerance };

            // The same rules as every stored version, each reported at its column; a field that did not
            // parse was reported above already.
            var unparsed = new[] { okPeriod ? null : "period", okValue ? null : "value", okTolerance ? null : "tolerance" };
            var problems = TargetRules.Problems(config, target, percentAllowed: true).Where(p => !unparsed.Contains(p.Field)).ToList();
            foreach (var p in problems)
            {
                errors.Add(new ConfigIssue(path, (int)line, header.IndexOf(p.Field) + 1 is var col and > 0 ? col : 1, p.Code, p.Message).ToString());
            }

            if (problems.Count > 0 || !(okPeriod && okValue && okTolerance))
            {
                continue;
            }

            if (targets.Any(t => t.Key == target.Key))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path}:{line}: {Loc.T("a second row for the same KPI, period and slice: keep one.", "вторая строка для того же KPI, периода и разреза: оставьте одну.")}"));
                continue;
            }

            targets.Add(target);
        }

        return (targets, errors);
    }
}

internal sealed class TargetsSuggestSettings : ConfigChangeSettings
{
    [CommandArgument(0, "<KPI>")]
    [LocDescription("KPI id (catalogue or custom).", "Идентификатор KPI (каталога или пользовательского).")]
    public string Kpi { get; init; } = string.Empty;

    [CommandOption("--period <PERIOD>")]
    [LocDescription("The month, quarter or year to suggest a target for (default: next quarter).", "Месяц, квартал или год, для которого предложить цель (по умолчанию — следующий квартал).")]
    public string? Period { get; init; }

    [CommandOption("--by <DIM>")]
    [LocDescription("Also suggest a target per slice of this dimension.", "Предложить цель и для каждого разреза этого измерения.")]
    public string? By { get; init; }

    [CommandOption("--probability <P>")]
    [LocDescription("Chance of reaching the suggested target, between 0 and 1 (default 0.5: the forecast itself; lower is more ambitious).", "Вероятность достичь предложенной цели, от 0 до 1 (по умолчанию 0.5 — сам прогноз; меньше — амбициознее).")]
    public double Probability { get; init; } = 0.5;

    [CommandOption("--tolerance <PERCENT>")]
    [LocDescription("At-risk band of the applied targets in % (default 5).", "Полоса «под угрозой» применённых целей в % (по умолчанию 5).")]
    public decimal Tolerance { get; init; } = 5;

    [CommandOption("--apply")]
    [LocDescription("Store the suggested targets as a new version.", "Сохранить предложенные цели как новую версию.")]
    public bool Apply { get; init; }
}

internal sealed class TargetsSuggestCommand : Command<TargetsSuggestSettings>
{
    public override int Execute(CommandContext context, TargetsSuggestSettings settings, CancellationToken cancellationToken)
    {
        using var ws = settings.OpenWorkspace(settings.Apply ? WorkspaceAccess.ReadWrite : WorkspaceAccess.ReadOnly);
        var config = ConfigStore.Current(ws);
        var kpi = TargetsCommandSupport.Kpi(config, settings.Kpi);
        var zone = ws.Settings.Zone;
        var period = settings.Period is null
            ? Period.Quarter(DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(CliApp.Clock.GetUtcNow().UtcDateTime, zone))).Next()
            : TargetsCommandSupport.TargetPeriod(settings.Period);
        var by = settings.By is null ? [] : new List<string> { KpiCatalog.Dimension(settings.By) };
        var suggestions = new TargetAdvisor(ws, CliApp.Clock).Suggest(config, [kpi], period, by, settings.Probability);
        var currency = ws.Settings.Currency;
        var table = new Table()
            .Title(Markup.Escape(Loc.F("Suggested targets for {0}, {1}", "Предлагаемые цели: {0}, {1}", kpi.Def.Name, period.Label)))
            .AddColumns(Loc.T("slice", "разрез"), Loc.T("suggested", "предложено"), Loc.T("chance", "вероятность"), Loc.T("why", "почему"));
        foreach (var s in suggestions)
        {
            table.AddRow(
                Markup.Escape(KpiFormat.Slice(s.Slice)),
                Markup.Escape(KpiFormat.Value(kpi.Def, s.Value, currency)),
                s.Probability is { } p ? p.ToString("P0", Loc.DisplayCulture) : "—",
                Markup.Escape(Explain(kpi.Def, s, currency)));
        }

        AnsiConsole.Write(table);
        var usable = suggestions.Where(s => s.Value is not null).Select(s => new Target { Kpi = kpi.Id, Period = period.Label, Slice = s.Slice, Value = s.Value!.Value, TolerancePercent = settings.Tolerance }).ToList();
        if (settings.Apply)
        {
            if (usable.Count == 0)
            {
                throw new SalesKpiException(Loc.T("There is nothing to apply: no slice has enough history for a suggestion.", "Применять нечего: ни у одного разреза нет достаточной истории для предложения."));
            }

            TargetsCommandSupport.Store(ws, config, usable, settings.Reason ?? string.Create(CultureInfo.InvariantCulture, $"targets suggest {kpi.Id} {period.Label} --probability {settings.Probability}"), settings, "targets suggest");
        }
        else if (usable.Count > 0)
        {
            AnsiConsole.MarkupLine("[grey]" + Markup.Escape(Loc.T("Add --apply to store these targets as a new version.", "Добавьте --apply, чтобы сохранить эти цели как новую версию.")) + "[/]");
        }

        return 0;
    }

    /// <summary>One line: the trend, the seasonal effect and the spread behind a suggestion.</summary>
    internal static string Explain(KpiDef kpi, TargetSuggestion s, string currency)
    {
        var f = s.Forecast;
        if (f.Forecast is null)
        {
            return Loc.F("only {0} past periods with a value; 3 are needed for a forecast", "прошлых периодов со значением только {0}; для прогноза нужно 3", f.History.Count);
        }

        var season = f.Seasonal is { } se ? Loc.F(", seasonal effect {0}", ", сезонный эффект {0}", TargetText.Delta(kpi, se, currency)) : string.Empty;
        return Loc.F(
            "trend {0} per period over {1} periods{2}, spread {3}; forecast {4}",
            "тренд {0} за период по {1} периодам{2}, разброс {3}; прогноз {4}",
            TargetText.Delta(kpi, f.Slope, currency),
            f.History.Count,
            season,
            TargetText.Spread(kpi, f.Sd!.Value, currency),
            KpiFormat.Value(kpi, (decimal)f.Forecast.Value, currency));
    }
}
