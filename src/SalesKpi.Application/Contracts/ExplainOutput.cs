using System.Globalization;
using SalesKpi.Application.Services;
using SalesKpi.Core;

namespace SalesKpi.Application.Contracts;

/// <summary>The records behind an explained KPI value as a document for people (a spreadsheet).</summary>
public static class ExplainOutput
{
    /// <summary>
    /// Every record the answer lists, one row each: the first column names its source (as a code such as
    /// <c>explain_source.deals_closed</c> so the file reads alike in both languages, followed by the source's title in
    /// <paramref name="language"/>), then the union of all sources' columns in order of first appearance (a column a
    /// source does not have is empty). Times are local to the workspace's zone (<c>yyyy-MM-dd HH:mm:ss</c>), numbers
    /// invariant; text is neutralised against formula injection by <see cref="CsvOut"/>.
    /// </summary>
    public static string Csv(ExplainAnswer answer, Language language)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var (header, rows) = Table(answer, language);
        var csv = new CsvOut([.. header]);
        foreach (var row in rows)
        {
            csv.Row([CsvCell.Text((string)row[0]!), CsvCell.Text((string)row[1]!), .. row.Skip(2).Select(v => Cell(v, answer.Zone))]);
        }

        return csv.ToString();
    }

    /// <summary>
    /// The same columns and rows as <see cref="Csv"/> as an xlsx workbook of one sheet, written by the one
    /// <see cref="Spreadsheet"/> writer: a frozen header row, cells typed (numbers as numbers, times local to the
    /// workspace's zone and dates as dates), text neutralised against formula injection exactly as the CSV's.
    /// </summary>
    public static byte[] Xlsx(ExplainAnswer answer, Language language)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var (header, rows) = Table(answer, language);
        var columns = header.Select((name, i) => new SheetColumn(name, Msg.Of("explain.column", "{0}", "{0}", name), i < 2 ? CellKind.Text : CellKind.Auto)).ToList();
        var sheet = new Sheet("records", Msg.Of("explain.records_sheet", "records", "records"), columns,
            rows.Select(row => (object?[])[row[0], row[1], .. row.Skip(2).Select(v => v is DateTime d ? TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(d, DateTimeKind.Utc), answer.Zone) : v)]));
        return Spreadsheet.Xlsx([sheet], language);
    }

    // The header, then one row per listed record: source code, source title, then the raw values of the union of columns.
    private static (List<string> Header, List<object?[]> Rows) Table(ExplainAnswer answer, Language language)
    {
        var columns = answer.Explanation.Sources.SelectMany(s => s.Columns).Distinct(StringComparer.Ordinal).ToList();
        var rows = new List<object?[]>();
        foreach (var source in answer.Explanation.Sources)
        {
            var title = source.Title.Render(language);
            foreach (var row in source.Rows.Take(answer.Limit))
            {
                rows.Add([source.Title.Code, title, .. columns.Select(c => row.TryGetValue(c, out var v) ? v : null)]);
            }
        }

        return ([.. new[] { "source", "source_title" }.Concat(columns)], rows);
    }

    private static CsvCell Cell(object? value, TimeZoneInfo zone) => value switch
    {
        null => CsvCell.Empty,
        DateTime d => CsvCell.Text(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(d, DateTimeKind.Utc), zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
        DateOnly d => CsvCell.Text(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        decimal d => CsvCell.Number(d),
        double d => CsvCell.Number(d),
        float d => CsvCell.Number((double)d),
        long n => CsvCell.Integer(n),
        int n => CsvCell.Integer(n),
        short n => CsvCell.Integer(n),
        bool b => CsvCell.Text(b ? "true" : "false"),
        IFormattable f => CsvCell.Text(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => CsvCell.Text(value.ToString()),
    };
}
