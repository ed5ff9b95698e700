using System.Data;
using System.Globalization;
using System.Text;
using MiniExcelLibs;
using MiniExcelLibs.Attributes;
using MiniExcelLibs.OpenXml;
using SalesKpi.Core;

namespace SalesKpi.Application.Contracts;

/// <summary>What a spreadsheet column holds, which decides its cell type and number format.</summary>
public enum CellKind
{
    /// <summary>Text, neutralised against formula injection.</summary>
    Text,

    /// <summary>A whole number.</summary>
    Integer,

    /// <summary>A number shown with up to four decimals.</summary>
    Number,

    /// <summary>Money: a number with two decimals and digit grouping.</summary>
    Money,

    /// <summary>A fraction (0.25) shown as a percentage (25.0 %).</summary>
    Percent,

    /// <summary>A calendar day.</summary>
    Date,

    /// <summary>A moment, already local to the workspace zone.</summary>
    DateTime,

    /// <summary>Whatever the value is (explain's records, whose columns differ by source): numbers stay numbers, moments become dates.</summary>
    Auto,
}

/// <summary>One column of a sheet: a stable key (the CSV header), a title in both languages (the xlsx header) and its kind.</summary>
/// <param name="Key">The language-neutral name, e.g. <c>win_rate</c> or <c>created_at</c>.</param>
/// <param name="Title">The header people read in the xlsx.</param>
/// <param name="Kind">The cell type and format.</param>
public sealed record SheetColumn(string Key, Msg Title, CellKind Kind);

/// <summary>
/// One view of an export: a sheet of an xlsx workbook, or one CSV file. <paramref name="Rows"/> may be a stream
/// read once (a million records are never held in memory); each row has one value per column.
/// </summary>
/// <param name="Key">The language-neutral name (the CSV file's suffix), e.g. <c>scorecard</c>.</param>
/// <param name="Title">The sheet's name in both languages (at most 31 characters, as Excel allows).</param>
/// <param name="Columns">The columns.</param>
/// <param name="Rows">The rows, in order.</param>
public sealed record Sheet(string Key, Msg Title, IReadOnlyList<SheetColumn> Columns, IEnumerable<object?[]> Rows);

/// <summary>
/// The one xlsx and CSV writer of every spreadsheet for people (the export, the dashboard's downloads, explain's
/// records): typed cells (numbers as numbers, money and percentages as numbers with a number format, dates as
/// dates), a frozen header row, column widths by kind and title, and text neutralised by <see cref="CsvOut.Neutralise"/>.
/// </summary>
public static class Spreadsheet
{
    /// <summary>The content type of an xlsx file.</summary>
    public const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>Writes <paramref name="sheets"/> as one workbook to <paramref name="stream"/>, headers and sheet names in <paramref name="language"/>.</summary>
    public static void WriteXlsx(Stream stream, IReadOnlyList<Sheet> sheets, Language language)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sheets);
        var book = new Dictionary<string, object>(StringComparer.Ordinal);
        var columns = new List<DynamicExcelColumn>();
        foreach (var sheet in sheets)
        {
            // Dynamic columns are configured per workbook, so keys are made unique per sheet; the title is the header.
            var keys = sheet.Columns.Select((c, i) => sheet.Key + "." + i.ToString(CultureInfo.InvariantCulture)).ToArray();
            for (var i = 0; i < sheet.Columns.Count; i++)
            {
                var c = sheet.Columns[i];
                var title = CsvOut.Neutralise(c.Title.Render(language));
                columns.Add(new DynamicExcelColumn(keys[i]) { Name = title, Format = Format(c.Kind), Width = Width(c.Kind, title) });
            }

            book[SheetName(sheet.Title.Render(language), book.Keys)] = Rows(sheet, keys);
        }

        MiniExcel.SaveAs(stream, book, printHeader: true, excelType: ExcelType.XLSX, configuration: new OpenXmlConfiguration
        {
            FreezeRowCount = 1,
            FreezeColumnCount = 0,
            TableStyles = TableStyles.None,
            AutoFilter = false,
            DynamicColumns = [.. columns],
        });
    }

    /// <summary>The workbook of <see cref="WriteXlsx"/> in memory (a download of one view).</summary>
    public static byte[] Xlsx(IReadOnlyList<Sheet> sheets, Language language)
    {
        using var stream = new MemoryStream();
        WriteXlsx(stream, sheets, language);
        return stream.ToArray();
    }

    /// <summary>
    /// Writes <paramref name="sheet"/> as CSV through <see cref="CsvOut"/>: the column keys as header, numbers in the
    /// invariant culture (percentages as fractions), days as <c>yyyy-MM-dd</c>, moments as <c>yyyy-MM-dd HH:mm:ss</c>.
    /// </summary>
    public static void WriteCsv(TextWriter writer, Sheet sheet)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        var csv = new CsvOut(writer, [.. sheet.Columns.Select(c => c.Key)]);
        foreach (var row in sheet.Rows)
        {
            csv.Row([.. sheet.Columns.Select((c, i) => CsvValue(row[i], c.Kind))]);
        }
    }

    /// <summary>A CSV file's bytes as <see cref="WriteCsv"/> writes them, with the UTF-8 byte-order mark Excel needs to read Cyrillic.</summary>
    public static byte[] Csv(Sheet sheet)
    {
        using var stream = new MemoryStream();
        using (var writer = new StreamWriter(stream, new UTF8Encoding(true), leaveOpen: true))
        {
            WriteCsv(writer, sheet);
        }

        return stream.ToArray();
    }

    /// <summary>A value as the xlsx cell of a column of <paramref name="kind"/>: a number, a date, neutralised text or null.</summary>
    public static object? XlsxValue(object? value, CellKind kind) => value switch
    {
        null or DBNull => null,
        string s => CsvOut.Neutralise(s),
        DateTime d => d,
        DateTimeOffset d => d.DateTime,
        DateOnly d => d.ToDateTime(TimeOnly.MinValue),
        decimal d => kind == CellKind.Auto ? JsonOut.Round(d) : d,
        double d => kind == CellKind.Auto ? Math.Round(d, 6) : d,
        float d => Math.Round((double)d, 6),
        long or int or short or byte => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => CsvOut.Neutralise(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => CsvOut.Neutralise(value.ToString() ?? string.Empty),
    };

    private static CsvCell CsvValue(object? value, CellKind kind) => value switch
    {
        null or DBNull => CsvCell.Empty,
        string s => CsvCell.Text(s),
        DateTime d => CsvCell.Text(d.ToString(kind == CellKind.Date ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
        DateTimeOffset d => CsvCell.Text(d.DateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
        DateOnly d => CsvCell.Text(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        decimal d => CsvCell.Number(d),
        double d => CsvCell.Number(d),
        float d => CsvCell.Number((double)d),
        long or int or short or byte => CsvCell.Integer(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        bool b => CsvCell.Text(b ? "true" : "false"),
        IFormattable f => CsvCell.Text(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => CsvCell.Text(value.ToString()),
    };

    // Rows as MiniExcel takes them, read lazily; a sheet without rows still gets its header (through an empty table).
    private static object Rows(Sheet sheet, string[] keys)
    {
        var rows = sheet.Rows.GetEnumerator();
        if (!rows.MoveNext())
        {
            rows.Dispose();
            var table = new DataTable(sheet.Key) { Locale = CultureInfo.InvariantCulture };
            foreach (var key in keys)
            {
                table.Columns.Add(key, typeof(object));
            }

            return table;
        }

        return Stream(rows, sheet.Columns, keys);
    }

    private static IEnumerable<IDictionary<string, object?>> Stream(IEnumerator<object?[]> rows, IReadOnlyList<SheetColumn> columns, string[] keys)
    {
        using (rows)
        {
            do
            {
                var row = rows.Current;
                var cells = new Dictionary<string, object?>(keys.Length, StringComparer.Ordinal);
                for (var i = 0; i < keys.Length; i++)
                {
                    cells[keys[i]] = XlsxValue(row[i], columns[i].Kind);
                }

                yield return cells;
            }
            while (rows.MoveNext());
        }
    }

    private static string? Format(CellKind kind) => kind switch
    {
        CellKind.Integer => "#,##0",
        CellKind.Number => "#,##0.####",
        CellKind.Money => "#,##0.00",
        CellKind.Percent => "0.0%",
        CellKind.Date => "yyyy-mm-dd",
        CellKind.DateTime => "yyyy-mm-dd hh:mm",
        _ => null,
    };

    private static double Width(CellKind kind, string title) => Math.Clamp(Math.Max(title.Length + 2, kind switch
    {
        CellKind.Text => 18,
        CellKind.Date => 12,
        CellKind.DateTime or CellKind.Auto => 17,
        _ => 12,
    }), 8, 48);

    // Excel allows 31 characters and none of []:*?/\ in a sheet name, and no two sheets alike.
    private static string SheetName(string title, IEnumerable<string> taken)
    {
        var name = new string([.. title.Select(c => c is '[' or ']' or ':' or '*' or '?' or '/' or '\\' ? '_' : c)]);
        name = name.Length > 31 ? name[..31] : name;
        var unique = name;
        for (var n = 2; taken.Contains(unique, StringComparer.OrdinalIgnoreCase); n++)
        {
            var suffix = " " + n.ToString(CultureInfo.InvariantCulture);
            unique = name[..Math.Min(name.Length, 31 - suffix.Length)] + suffix;
        }

        return unique;
    }
}
