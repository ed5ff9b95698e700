using System.Data.Common;
using System.Globalization;
using System.Text;
using SalesKpi.Application.Contracts;
using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Application.Services;

/// <summary>What to export.</summary>
/// <param name="Period">The period, or null for the quarter of the as-of moment (as the scorecard).</param>
/// <param name="AsOf">The as-of moment, or null for now.</param>
/// <param name="By">The dimension of the breakdown sheet, or null for <c>channel</c>.</param>
/// <param name="Grain">The grain of the KPIs-by-period sheet (<c>week</c>, <c>month</c>, <c>quarter</c>), or null for <c>month</c>.</param>
/// <param name="Records">Whether to add the period's leads and deals with all their canonical columns.</param>
public sealed record ExportQuery(string? Period, string? AsOf, string? By, string? Grain, bool Records = true);

/// <summary>The format of an export.</summary>
public enum ExportFormat
{
    /// <summary>One workbook, a sheet per view.</summary>
    Xlsx,

    /// <summary>One CSV file per view, named <c>STEM-view.csv</c>.</summary>
    Csv,
}

/// <summary>One view written by an export.</summary>
/// <param name="Key">The view (<c>scorecard</c>, <c>report</c>, <c>breakdown</c>, <c>funnel</c>, <c>leads</c>, <c>deals</c>).</param>
/// <param name="Rows">Rows written under its header.</param>
/// <param name="File">The file it went to (the workbook for xlsx).</param>
public sealed record ExportedView(string Key, long Rows, string File);

/// <summary>A written export.</summary>
/// <param name="Period">The period exported.</param>
/// <param name="Views">The views written, in order.</param>
/// <param name="Warnings">Warnings of the views' computations, in the caller's language when rendered.</param>
public sealed record ExportAnswer(Period Period, IReadOnlyList<ExportedView> Views, IReadOnlyList<Msg> Warnings);

/// <summary>
/// The export use case (docs/export.md): the scorecard, the KPIs by period, a breakdown by a dimension, the funnel
/// and, by default, the records behind the period — gathered from the existing services with the caller's scope, and
/// written as one xlsx workbook or one CSV file per view by <see cref="Spreadsheet"/>. Records are streamed from the
/// workspace to the file, never collected in memory.
/// </summary>
public sealed class ExportService
{
    /// <summary>The default dimension of the breakdown sheet.</summary>
    public const string DefaultBy = "channel";

    /// <summary>The grains the KPIs-by-period sheet accepts; the first is the default.</summary>
    public static readonly IReadOnlyList<string> Grains = ["month", "week", "quarter"];

    /// <summary>Writes the export <paramref name="query"/> asks for to <paramref name="path"/> in <paramref name="format"/>.</summary>
    public ExportAnswer Run(ExportQuery query, ExportFormat format, string path, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var grain = query.Grain ?? Grains[0];
        if (!Grains.Contains(grain, StringComparer.Ordinal))
        {
            throw new SalesKpiException(Msg.Of("export.bad_grain", "--grain '{0}' is not one of month, week, quarter.", "--grain «{0}» — не одно из month, week, quarter.", grain));
        }

        Period period;
        using (var ws = ctx.Open(WorkspaceAccess.ReadOnly))
        {
            (period, _, _) = TimeRules.Resolve(ws, query.Period, query.AsOf, DefaultPeriod.CurrentQuarter, ctx.Clock);
        }

        // Every view is computed for the one period resolved here, so the sheets agree with each other.
        var by = query.By ?? DefaultBy;
        var scorecard = new ScorecardService().Run(new ScorecardQuery(period.Label, query.AsOf, null), ctx);
        var report = new ReportService().Run(new ReportQuery(period.Label, query.AsOf, grain, [], []), ctx);
        var breakdown = new ReportService().Run(new ReportQuery(period.Label, query.AsOf, null, [by], []), ctx);
        var funnel = new FunnelService().Run(new FunnelQuery(period.Label, query.AsOf, null), ctx);
        var warnings = scorecard.Warnings.Concat(report.Warnings).Concat(funnel.Warnings).DistinctBy(m => m.Render(Language.En)).ToList();

        var counted = new List<(string Key, Counter Rows)>();
        Sheet Count(Sheet sheet)
        {
            var counter = new Counter();
            counted.Add((sheet.Key, counter));
            return sheet with { Rows = counter.Wrap(sheet.Rows) };
        }

        List<Sheet> sheets =
        [
            Count(ExportSheets.Scorecard(scorecard.Scorecard, ctx.Language)),
            Count(ExportSheets.Report(report.Report)),
            Count(ExportSheets.Breakdown(breakdown.Report, KpiDimension(by))),
            Count(ExportSheets.Funnel(funnel.Funnel)),
        ];

        using var records = query.Records ? ctx.Open(WorkspaceAccess.ReadOnly) : null;
        if (records is not null)
        {
            var asOf = TimeRules.ResolveAsOf(query.AsOf, records.Settings.Zone, ctx.Clock, out _);
            sheets.Add(Count(Records(records, EntityCatalog.Leads, period, asOf, ByCreation)));
            sheets.Add(Count(Records(records, EntityCatalog.Deals, period, asOf, ByCreationOrClosing)));
        }

        var files = format == ExportFormat.Xlsx ? WriteXlsx(path, sheets, ctx.Language) : WriteCsv(path, sheets);
        return new ExportAnswer(period, [.. counted.Select((c, i) => new ExportedView(c.Key, c.Rows.Value, files[i]))], warnings);
    }

    /// <summary>The CSV file of one view: <c>out.csv</c> gives <c>out-scorecard.csv</c>, <c>out-funnel.csv</c>, …</summary>
    public static string CsvFile(string path, string view)
    {
        ArgumentNullException.ThrowIfNull(path);
        var stem = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? path[..^4] : path;
        return stem + "-" + view + ".csv";
    }

    private static string KpiDimension(string by) => Core.Kpis.KpiCatalog.Dimension(by);

    // Leads: created in the period (and by the as-of moment).
    private const string ByCreation = "created_at >= {0} AND created_at < {1} AND created_at <= {2}";

    // Deals: created or closed in the period — the two cohorts the deal KPIs count (docs/kpis.md).
    private const string ByCreationOrClosing = "((created_at >= {0} AND created_at < {1}) OR (closed_at >= {0} AND closed_at < {1})) AND created_at <= {2}";

    // An entity's rows with every canonical column, typed by the catalogue, read as the sheet is written.
    private static Sheet Records(Workspace ws, EntityDef entity, Period period, DateTimeOffset asOf, string filter)
    {
        var d = ws.Dialect;
        var zone = ws.Settings.Zone;
        var columns = entity.Columns.Select(c => new SheetColumn(c.Name, Msg.Of("export.field", "{0}", "{0}", c.Name), Kind(c.Type))).ToList();
        var where = string.Format(CultureInfo.InvariantCulture, filter, d.Parameter(1), d.Parameter(2), d.Parameter(3));
        var sql = $"SELECT {string.Join(", ", entity.Columns.Select(c => d.Quote(c.Name)))} FROM {d.Quote(entity.Name)} WHERE {where} ORDER BY {d.Quote(entity.DateColumn)}, {string.Join(", ", entity.Key.Select(d.Quote))}";
        var types = entity.Columns.Select(c => c.Type).ToArray();
        var rows = ws.Query(sql, r => Row(r, types, zone), period.StartUtc(zone), period.EndUtc(zone), asOf.UtcDateTime);
        var title = entity.Name == "leads" ? Msg.Of("export.sheet.leads", "Leads", "Лиды") : Msg.Of("export.sheet.deals", "Deals", "Сделки");
        return new Sheet(entity.Name, title, columns, rows);
    }

    private static object?[] Row(DbDataReader r, ColumnType[] types, TimeZoneInfo zone)
    {
        var row = new object?[types.Length];
        for (var i = 0; i < types.Length; i++)
        {
            if (r.IsDBNull(i))
            {
                continue;
            }

            var v = r.GetValue(i);
            row[i] = (types[i], v) switch
            {
                (ColumnType.Timestamp, DateTime t) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(t, DateTimeKind.Utc), zone),
                (ColumnType.Date, DateTime t) => DateOnly.FromDateTime(t),
                (ColumnType.Integer, _) => Convert.ToInt64(v, CultureInfo.InvariantCulture),
                (ColumnType.Money, _) => Convert.ToDecimal(v, CultureInfo.InvariantCulture),
                (ColumnType.Number, _) => Convert.ToDecimal(v, CultureInfo.InvariantCulture),
                _ => v,
            };
        }

        return row;
    }

    private static CellKind Kind(ColumnType type) => type switch
    {
        ColumnType.Timestamp => CellKind.DateTime,
        ColumnType.Date => CellKind.Date,
        ColumnType.Integer => CellKind.Integer,
        ColumnType.Number => CellKind.Number,
        ColumnType.Money => CellKind.Money,
        _ => CellKind.Text,
    };

    // The workbook is written under a pending name and moved into place, so a failure leaves no half-written file.
    private static List<string> WriteXlsx(string path, List<Sheet> sheets, Language language)
    {
        var pending = path + ".pending";
        try
        {
            using (var stream = new FileStream(pending, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Spreadsheet.WriteXlsx(stream, sheets, language);
            }

            File.Move(pending, path, overwrite: true);
        }
        finally
        {
            File.Delete(pending);
        }

        return [.. sheets.Select(_ => path)];
    }

    private static List<string> WriteCsv(string path, List<Sheet> sheets)
    {
        var files = new List<string>();
        foreach (var sheet in sheets)
        {
            var file = CsvFile(path, sheet.Key);
            var pending = file + ".pending";
            try
            {
                using (var writer = new StreamWriter(pending, false, new UTF8Encoding(true), 1 << 16))
                {
                    Spreadsheet.WriteCsv(writer, sheet);
                }

                File.Move(pending, file, overwrite: true);
            }
            finally
            {
                File.Delete(pending);
            }

            files.Add(file);
        }

        return files;
    }

    // Counts the rows of a view as they pass to the writer.
    private sealed class Counter
    {
        public long Value { get; private set; }

        public IEnumerable<object?[]> Wrap(IEnumerable<object?[]> rows)
        {
            foreach (var row in rows)
            {
                Value++;
                yield return row;
            }
        }
    }
}
