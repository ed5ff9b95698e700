using SalesKpi.Application.Services;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesKpi.Cli.Commands;

internal sealed class ExportSettings : WorkspaceCommandSettings
{
    [CommandOption("--period <PERIOD>")]
    [LocDescription("Period: 2025, 2025-Q3, 2025-09, 2025-W36 or 2025-01-01..2025-06-30 (default: the quarter of the as-of moment).", "Период: 2025, 2025-Q3, 2025-09, 2025-W36 или 2025-01-01..2025-06-30 (по умолчанию — квартал момента расчёта).")]
    public string? Period { get; init; }

    [CommandOption("--as-of <MOMENT>")]
    [LocDescription("Compute as of this moment; data after it is ignored (default: now).", "Считать на этот момент; более поздние данные не учитываются (по умолчанию — сейчас).")]
    public string? AsOf { get; init; }

    [CommandOption("--by <DIM>")]
    [LocDescription("Dimension of the breakdown sheet: channel (default), campaign, owner, segment, region, industry, service_line.", "Измерение листа разбивки: channel (по умолчанию), campaign, owner, segment, region, industry, service_line.")]
    public string? By { get; init; }

    [CommandOption("--grain <GRAIN>")]
    [LocDescription("Buckets of the KPIs-by-period sheet: month (default), week or quarter.", "Интервалы листа «KPI по периодам»: month (по умолчанию), week или quarter.")]
    public string Grain { get; init; } = "month";

    [CommandOption("--format <FORMAT>")]
    [LocDescription("xlsx (default: one workbook, a sheet per view) or csv (one file per view, FILE-view.csv).", "xlsx (по умолчанию: одна книга, лист на представление) или csv (файл на представление, FILE-представление.csv).")]
    public string Format { get; init; } = "xlsx";

    [CommandOption("--no-records")]
    [LocDescription("Leave out the leads and deals behind the period's KPIs.", "Не выгружать лиды и сделки, стоящие за KPI периода.")]
    public bool NoRecords { get; init; }

    [CommandOption("--out <FILE>")]
    [LocDescription("The workbook to write (replaced if it exists); for csv, the stem of the files.", "Файл книги (существующий заменяется); для csv — основа имён файлов.")]
    public string? Out { get; init; }

    public override ValidationResult Validate() =>
        Choice("--format", Format, "xlsx", "csv")
        ?? Choice("--grain", Grain, [.. ExportService.Grains])
        ?? (string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error(Loc.T("Give the file to write with --out FILE.", "Укажите файл для записи: --out FILE.")) : null)
        ?? base.Validate();
}

internal sealed class ExportCommand(CliHost host) : Command<ExportSettings>
{
    public override int Execute(CommandContext context, ExportSettings settings, CancellationToken cancellationToken)
    {
        var format = settings.Format == "csv" ? ExportFormat.Csv : ExportFormat.Xlsx;
        var answer = new ExportService().Run(
            new ExportQuery(settings.Period, settings.AsOf, settings.By, settings.Grain, !settings.NoRecords), format, host.PathOf(settings.Out!), host.Context(settings));
        host.Warn(answer.Warnings);
        foreach (var file in answer.Views.GroupBy(v => v.File))
        {
            host.Console.MarkupLine(Markup.Escape(Loc.F(
                "{0}: {1}", "{0}: {1}", file.Key, string.Join(", ", file.Select(v => Loc.F("{0} {1} row(s)", "{0} — строк: {1}", v.Key, Output.N(v.Rows)))))));
        }

        return 0;
    }
}
