using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Import;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Cli.Commands;

/// <summary>Parsing and showing targets for the target commands.</summary>
internal static class TargetText
{
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

internal sealed class TargetsSetCommand(CliHost host) : Command<TargetsSetSettings>
{
    public override int Execute(CommandContext context, TargetsSetSettings settings, CancellationToken cancellationToken)
    {
        TargetsCommandSupport.Stored(host, new TargetsService().Set(new SetTargetRequest(settings.Kpi, settings.Period, settings.Value, settings.Slice, settings.Tolerance, settings.Change), host.Context(settings, settings.AuthorName)));
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

internal sealed class TargetsRemoveCommand(CliHost host) : Command<TargetsRemoveSettings>
{
    public override int Execute(CommandContext context, TargetsRemoveSettings settings, CancellationToken cancellationToken)
    {
        var written = new TargetsService().Remove(new RemoveTargetRequest(settings.Kpi, settings.Period, settings.Slice, settings.Change), host.Context(settings, settings.AuthorName));
        KpiSystemFile.Applied(host, written.Version, written.PreviousDocument);
        return 0;
    }
}

internal static class TargetsCommandSupport
{
    /// <summary>Prints the version a targets change wrote, the periods it will not count for, and the stored targets with their realism check.</summary>
    public static void Stored(CliHost host, TargetsStored stored)
    {
        KpiSystemFile.Applied(host, stored.Written.Version, stored.Written.PreviousDocument);
        foreach (var note in stored.NotInForce)
        {
            host.Console.MarkupLine("[yellow]" + Markup.Escape(note.Render(Loc.Current)) + "[/]");
        }

        Show(host, stored.Listing, check: true);
    }

    /// <summary>A table of targets; with <paramref name="check"/>, each with its realism check.</summary>
    public static void Show(CliHost host, TargetListing listing, bool check)
    {
        var (config, targets, checks, currency) = (listing.Config, listing.Targets, listing.Checks, listing.Currency);
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

        host.Console.Write(table);
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

internal sealed class TargetsListCommand(CliHost host) : Command<TargetsListSettings>
{
    public override int Execute(CommandContext context, TargetsListSettings settings, CancellationToken cancellationToken)
    {
        var listing = new TargetsService().List(settings.Period, settings.Kpi, !settings.NoCheck, host.Context(settings));
        var targets = listing.Targets;
        if (targets.Count == 0)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.T("No targets: set one with 'saleskpi targets set win_rate 2026-Q1 30%' or get one from history with 'saleskpi targets suggest win_rate --period 2026-Q1'.", "Целей нет: задайте «saleskpi targets set win_rate 2026-Q1 30%» или получите по истории «saleskpi targets suggest win_rate --period 2026-Q1».")));
            return 0;
        }

        TargetsCommandSupport.Show(host, listing, !settings.NoCheck);
        return 0;
    }
}

internal sealed class TargetsImportSettings : ConfigChangeSettings
{
    [CommandArgument(0, "<FILE>")]
    [LocDescription("CSV with columns kpi, period, value and optionally tolerance and dimension columns (channel, owner, …) for slices.", "CSV со столбцами kpi, period, value и, при необходимости, tolerance и столбцами измерений (channel, owner, …) для разрезов.")]
    public string File { get; init; } = string.Empty;
}

internal sealed class TargetsImportCommand(CliHost host) : Command<TargetsImportSettings>
{
    public override int Execute(CommandContext context, TargetsImportSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            TargetsCommandSupport.Stored(host, new TargetsService().Import(new ImportTargetsRequest(host.PathOf(settings.File), settings.Change), host.Context(settings, settings.AuthorName)));
        }
        catch (InvalidInputException ex)
        {
            foreach (var e in ex.Errors)
            {
                host.Error.WriteLine(e.Render(Loc.Current));
            }

            throw;
        }

        return 0;
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

internal sealed class TargetsSuggestCommand(CliHost host) : Command<TargetsSuggestSettings>
{
    public override int Execute(CommandContext context, TargetsSuggestSettings settings, CancellationToken cancellationToken)
    {
        var answer = new TargetsService().Suggest(new SuggestTargetsRequest(settings.Kpi, settings.Period, settings.By, settings.Probability, settings.Tolerance, settings.Apply, settings.Change), host.Context(settings, settings.AuthorName));
        var (kpi, period, suggestions, currency) = (answer.Kpi, answer.Period, answer.Suggestions, answer.Currency);
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

        host.Console.Write(table);
        if (answer.Stored is { } stored)
        {
            TargetsCommandSupport.Stored(host, stored);
        }
        else if (answer.Usable > 0)
        {
            host.Console.MarkupLine("[grey]" + Markup.Escape(Loc.T("Add --apply to store these targets as a new version.", "Добавьте --apply, чтобы сохранить эти цели как новую версию.")) + "[/]");
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
