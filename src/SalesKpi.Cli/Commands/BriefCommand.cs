using SalesKpi.Application.Services;
using SalesKpi.Dashboard.Brief;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesKpi.Cli.Commands;

internal sealed class BriefSettings : WorkspaceCommandSettings
{
    [CommandOption("--period <PERIOD>")]
    [LocDescription("A month, quarter or year: 2025-09, 2025-Q3, 2025 (default: the last complete quarter).", "Месяц, квартал или год: 2025-09, 2025-Q3, 2025 (по умолчанию — последний завершённый квартал).")]
    public string? Period { get; init; }

    [CommandOption("--as-of <MOMENT>")]
    [LocDescription("Compute as of this moment; data after it is ignored (default: now).", "Считать на этот момент; более поздние данные не учитываются (по умолчанию — сейчас).")]
    public string? AsOf { get; init; }

    [CommandOption("--by <DIM>")]
    [LocDescription("Also show the scorecard and the funnel by one dimension: owner, channel, segment, region, service_line.", "Также показать показатели и воронку по измерению: owner, channel, segment, region, service_line.")]
    public string? By { get; init; }

    [CommandOption("--format <FORMAT>")]
    [LocDescription("html (default; one self-contained file) or pdf (printed by a headless Chromium: SALESKPI_CHROMIUM or chromium on the PATH).", "html (по умолчанию; один самодостаточный файл) или pdf (печатает Chromium в режиме headless: SALESKPI_CHROMIUM или chromium в PATH).")]
    public string Format { get; init; } = "html";

    [CommandOption("--out <FILE>")]
    [LocDescription("The file to write (default: brief-PERIOD.html or .pdf in the current folder); an existing file is replaced.", "Файл для записи (по умолчанию brief-ПЕРИОД.html или .pdf в текущей папке); существующий файл заменяется.")]
    public string? Out { get; init; }

    public override ValidationResult Validate() => Choice("--format", Format, "html", "pdf") ?? base.Validate();
}

internal sealed class BriefCommand(CliHost host) : Command<BriefSettings>
{
    public override int Execute(CommandContext context, BriefSettings settings, CancellationToken cancellationToken)
    {
        // Find the browser before the minutes of computing, so a missing one fails at once.
        var chromium = settings.Format == "pdf" ? BriefPdf.Locate(host.Variable(BriefPdf.ChromiumVariable), host.Variable("PATH")) : null;
        if (settings.Format == "pdf")
        {
            BriefPdf.Require(chromium);
        }

        var brief = new BriefService().Run(new BriefQuery(settings.Period, settings.AsOf, settings.By), host.Context(settings));
        host.Warn(brief.Warnings);
        var html = BriefHtml.Render(brief, host.Language, host.Clock.GetUtcNow());
        var name = settings.Out ?? "brief-" + brief.Period.Label + "." + settings.Format;
        var path = host.PathOf(name);
        var bytes = settings.Format == "pdf"
            ? BriefPdf.PrintAsync(html, chromium, BriefPdf.DefaultTimeout, cancellationToken).GetAwaiter().GetResult()
            : System.Text.Encoding.UTF8.GetBytes(html);
        File.WriteAllBytes(path, bytes);
        host.Console.MarkupLine(Markup.Escape(Loc.F("Brief {0} written to {1}", "Сводка {0} записана в {1}", brief.Period.Label, Path.GetFullPath(path))));
        foreach (var gap in brief.Gaps)
        {
            host.Error.WriteLine(Loc.F("note: section {0} left out: {1}", "примечание: раздел {0} пропущен: {1}", gap.Section, gap.Reason.Render(host.Language)));
        }

        return 0;
    }
}
