using System.Globalization;
using MiniExcelLibs;
using SalesKpi.Core;

namespace SalesKpi.Import;

/// <summary>
/// The rows of one worksheet of an .xlsx file as records: the first row is the header, cells are
/// turned into canonical text (dates as <c>yyyy-MM-dd HH:mm:ss</c>, numbers with <c>.</c>).
/// <see cref="Line"/> is the worksheet row number. Streams the sheet without loading it whole.
/// </summary>
internal sealed class XlsxSource : IRecordSource, IDisposable
{
    private readonly IEnumerator<IDictionary<string, object?>> rows;
    private string[] fields = [];
    private int headerCount = -1;
    private long line;

    public XlsxSource(string path, string? sheet)
    {
        if (sheet is not null && !MiniExcel.GetSheetNames(path).Contains(sheet))
        {
            throw new FileRejectedException(Loc.F(
                "the workbook has no sheet '{0}' (its sheets: {1})",
                "в книге нет листа «{0}» (её листы: {1})",
                sheet, string.Join(", ", MiniExcel.GetSheetNames(path))), 0);
        }

        rows = MiniExcel.Query(path, useHeaderRow: false, sheetName: sheet).Cast<IDictionary<string, object?>>().GetEnumerator();
    }

    public int FieldCount => fields.Length;

    public long Line => line;

    public bool Unterminated => false;

    public string? RecordError => null;

    public ReadOnlySpan<char> this[int index] => index < fields.Length ? fields[index] : string.Empty;

    public bool Read()
    {
        while (rows.MoveNext())
        {
            line++;
            var values = rows.Current.Values.Select(Text).ToArray();

            // Trailing empty cells are formatting, not columns; a row of nothing but blanks is not a row.
            var last = Array.FindLastIndex(values, v => v.Length > 0);
            if (last < 0)
            {
                continue;
            }

            if (headerCount < 0)
            {
                headerCount = last + 1;
                fields = values[..headerCount];
            }
            else
            {
                // Cells beyond the header are kept, so such a row is rejected for its field count.
                fields = last + 1 > headerCount ? values[..(last + 1)] : Pad(values, headerCount);
            }

            return true;
        }

        return false;
    }

    public void Dispose() => rows.Dispose();

    private static string[] Pad(string[] values, int count) => values.Length >= count ? values[..count] : [.. values, .. Enumerable.Repeat(string.Empty, count - values.Length)];

    private static string Text(object? value) => value switch
    {
        null => string.Empty,
        DateTime t => t.TimeOfDay == TimeSpan.Zero ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
