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
        var columns = answer.Explanation.Sources.SelectMany(s => s.Columns).Distinct(StringComparer.Ordinal).ToList();
        var csv = new CsvOut([.. new[] { "source", "source_title" }.Concat(columns)]);
        foreach (var source in answer.Explanation.Sources)
        {
            var title = source.Title.Render(language);
            foreach (var row in source.Rows.Take(answer.Limit))
            {
                csv.Row([CsvCell.Text(source.Title.Code), CsvCell.Text(title), .. columns.Select(c => Cell(row.TryGetValue(c, out var v) ? v : null, answer.Zone))]);
            }
        }

        return csv.ToString();
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
