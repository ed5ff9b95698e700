using AngleSharp.Html.Parser;
using SalesKpi.Core;

namespace SalesKpi.Import;

/// <summary>A source read by rows of cells rather than as delimited text: an .xlsx worksheet or an HTML table.</summary>
internal interface ITableSource : IRecordSource, IDisposable
{
}

/// <summary>
/// Files read as tables of cells: .xlsx workbooks, and HTML tables saved with a spreadsheet's name (Bitrix24's "Excel"
/// export is an HTML page called <c>.xls</c>; a real binary .xls is not read and says so).
/// </summary>
internal static class TableFile
{
    /// <summary>Whether <paramref name="path"/> is read as a table: an .xlsx file, or an .xls/.html/.htm file holding HTML.</summary>
    public static bool Is(string path) =>
        path.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase) || IsHtml(path);

    /// <summary>Opens the table: the worksheet <paramref name="sheet"/> (first when null) of a workbook, or the first HTML table.</summary>
    public static ITableSource Open(string path, string? sheet) =>
        path.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase) ? new XlsxSource(path, sheet) : new HtmlTableSource(path);

    private static bool IsHtml(string path)
    {
        if (!(path.EndsWith(".xls", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".html", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".htm", StringComparison.OrdinalIgnoreCase)) || !File.Exists(path))
        {
            return false;
        }

        var head = new byte[2048];
        int n;
        using (var f = File.OpenRead(path))
        {
            n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        var text = System.Text.Encoding.UTF8.GetString(head, 0, n).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        return text.StartsWith('<') && (text.Contains("<table", StringComparison.OrdinalIgnoreCase) || text.Contains("<html", StringComparison.OrdinalIgnoreCase) || text.Contains("<meta", StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>
/// The rows of the first table of an HTML file as records (the first row with text is the header; <c>th</c> and <c>td</c>
/// cells alike, their text trimmed); <see cref="Line"/> is the row's number in the table. Parsed with AngleSharp, a
/// standards-following HTML5 parser, which also takes the page's declared encoding. The whole table is held in memory:
/// such exports are small.
/// </summary>
internal sealed class HtmlTableSource : ITableSource
{
    private readonly List<string[]> rows;
    private int index = -1;

    public HtmlTableSource(string path)
    {
        using var stream = File.OpenRead(path);
        var document = new HtmlParser().ParseDocument(stream);
        var table = document.QuerySelectorAll("table").FirstOrDefault(t => t.QuerySelector("tr") is not null)
            ?? throw new FileRejectedException(Msg.Of("html.no_table", "the file is an HTML page without a table: export the list again, or save it as CSV", "файл — HTML-страница без таблицы: выгрузите список ещё раз или сохраните его как CSV"), 0);
        rows = [.. table.QuerySelectorAll("tr").Select(tr => tr.Children.Where(c => c.LocalName is "td" or "th").Select(c => c.TextContent.Trim()).ToArray())];
    }

    public int FieldCount => Current.Length;

    public long Line => index + 1;

    public bool Unterminated => false;

    public Msg? RecordError => null;

    public ReadOnlySpan<char> this[int i] => i < Current.Length ? Current[i] : string.Empty;

    private string[] Current => index >= 0 && index < rows.Count ? rows[index] : [];

    public bool Read()
    {
        // Rows without any text (spacers) are not records, as blank lines in CSV.
        do
        {
            index++;
        }
        while (index < rows.Count && rows[index].All(c => c.Length == 0));
        return index < rows.Count;
    }

    public void Dispose()
    {
    }
}
