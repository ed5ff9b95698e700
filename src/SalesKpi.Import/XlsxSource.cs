using System.Globalization;
using MiniExcelLibs;
using SalesKpi.Core;

namespace SalesKpi.Import;

/// <summary>
/// The rows of one worksheet of an .xlsx file as records: the first row is the header, cells are
/// turned into canonical text (dates as <c>yyyy-MM-dd HH:mm:ss</c>, numbers with <c>.</c>).
/// <see cref="Line"/> is the worksheet row number. Streams the sheet without loading it whole.
/// </summary>
internal sealed class XlsxSource : ITableSource
{
    private readonly IEnumerator<IDictionary<string, object?>> rows;
    private string[] fields = [];
    private int headerCount = -1;
    private long line;
    private long records;

    /// <summary>
    /// Opens the workbook; a file that is not one (empty, not a zip archive, damaged, without a
    /// worksheet) is rejected with <see cref="FileRejectedException"/>, never with the library's error,
    /// so the other files of the import go on.
    /// </summary>
    public XlsxSource(string path, string? sheet)
    {
        RejectNonWorkbook(path);
        try
        {
            if (sheet is not null)
            {
                var names = MiniExcel.GetSheetNames(path);
                if (!names.Contains(sheet))
                {
                    throw new FileRejectedException(Msg.Of(
                        "xlsx.no_sheet",
                        "the workbook has no sheet '{0}' (its sheets: {1})",
                        "в книге нет листа «{0}» (её листы: {1})",
                        sheet, string.Join(", ", names)), 0);
                }
            }

            rows = MiniExcel.Query(path, useHeaderRow: false, sheetName: sheet).Cast<IDictionary<string, object?>>().GetEnumerator();
        }
        catch (Exception ex) when (IsDamage(ex))
        {
            throw Damaged(0);
        }
    }

    public int FieldCount => fields.Length;

    public long Line => line;

    public bool Unterminated => false;

    public Msg? RecordError => null;

    public ReadOnlySpan<char> this[int index] => index < fields.Length ? fields[index] : string.Empty;

    public bool Read()
    {
        while (Next())
        {
            line++;
            var values = rows.Current.Values.Select(Text).ToArray();

            // Trailing empty cells are formatting, not columns; a row of nothing but blanks is not a row.
            var last = Array.FindLastIndex(values, v => v.Length > 0);
            if (last < 0)
            {
                continue;
            }

            records++;
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

    // Whatever the spreadsheet library throws for a broken workbook says nothing a user can act on
    // (e.g. "Central Directory corrupt.", "Sequence contains no elements"); cancellation and our own
    // rejections pass through.
    private static bool IsDamage(Exception ex) => ex is not (FileRejectedException or OperationCanceledException or OutOfMemoryException);

    private static FileRejectedException Damaged(long rowsRead) => new(
        Msg.Of(
            "xlsx.damaged",
            "the workbook is damaged or has no worksheet: open it in a spreadsheet program and save it again as .xlsx, or export it as CSV",
            "книга повреждена или в ней нет листа: откройте её в программе для таблиц и сохраните заново как .xlsx или выгрузите в CSV"),
        rowsRead);

    // An .xlsx file is a zip archive: checking its first bytes gives the precise reason for the common
    // cases (an empty file, a CSV or an old .xls renamed) before the library is asked to open it.
    private static void RejectNonWorkbook(string path)
    {
        Span<byte> head = stackalloc byte[4];
        int n;
        using (var f = File.OpenRead(path))
        {
            n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        if (n == 0)
        {
            throw new FileRejectedException(Msg.Of(
                "xlsx.empty",
                "the file is empty: save the workbook again as .xlsx with a header row on its first sheet",
                "файл пуст: сохраните книгу заново как .xlsx со строкой заголовка на первом листе"), 0);
        }

        if (n < 4 || head[0] != (byte)'P' || head[1] != (byte)'K' || head[2] != 3 || head[3] != 4)
        {
            throw new FileRejectedException(Msg.Of(
                "xlsx.not_zip",
                "the file is not an .xlsx workbook (an .xlsx file is a zip archive; this one is not): save it as .xlsx, or as CSV with a .csv name",
                "файл не является книгой .xlsx (файл .xlsx — это zip-архив, а этот нет): сохраните его как .xlsx или как CSV с расширением .csv"), 0);
        }
    }

    private bool Next()
    {
        try
        {
            return rows.MoveNext();
        }
        catch (Exception ex) when (IsDamage(ex))
        {
            // The header is a record too, but not a row: rows read so far are the records after it.
            throw Damaged(Math.Max(0, records - 1));
        }
    }

    private static string[] Pad(string[] values, int count) => values.Length >= count ? values[..count] : [.. values, .. Enumerable.Repeat(string.Empty, count - values.Length)];

    // The canonical format has no exponents, so "1E-05" would be rejected as not a number and
    // "1E-41" must reach the precision check as the 41-decimal value it is: write every digit out.
    private static string Plain(string r)
    {
        var e = r.IndexOfAny(['E', 'e']);
        if (e < 0)
        {
            return r;
        }

        var exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = r[..e];
        var sign = mantissa.StartsWith('-') ? "-" : string.Empty;
        mantissa = mantissa.TrimStart('-');
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = mantissa.Replace(".", string.Empty, StringComparison.Ordinal);
        var integerLength = (point < 0 ? mantissa.Length : point) + exponent;
        return sign + (integerLength <= 0
            ? "0." + new string('0', -integerLength) + digits
            : integerLength >= digits.Length
                ? digits + new string('0', integerLength - digits.Length)
                : digits[..integerLength] + "." + digits[integerLength..]);
    }

    private static string Text(object? value) => value switch
    {
        null => string.Empty,
        DateTime t => t.TimeOfDay == TimeSpan.Zero ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        double d => Plain(d.ToString("R", CultureInfo.InvariantCulture)),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
