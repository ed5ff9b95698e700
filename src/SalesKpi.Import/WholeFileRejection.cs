using System.Globalization;
using System.Text;
using SalesKpi.Core;

namespace SalesKpi.Import;

/// <summary>
/// A file rejected as a whole (unreadable header, not UTF-8, binary, unknown name, …). Nothing of it is
/// stored, yet every record it has is accounted for: counted as read and rejected, and copied into the
/// rejects file with the file's reason, so "read = stored + rejected" holds and nothing is silently lost.
/// The records are read leniently (undecodable bytes become U+FFFD) because the strict reading is what failed.
/// </summary>
internal sealed class WholeFileRejection
{
    private readonly SourceFormat format;
    private readonly string? sheet;

    private WholeFileRejection(string path, int fileId, string? entity, Msg reason, SourceFormat format, string? sheet)
    {
        Path = path;
        FileId = fileId;
        Entity = entity;
        Reason = reason;
        this.format = format;
        this.sheet = sheet;
        IsWorkbook = TableFile.Is(path);
        Rows = IsWorkbook ? CountWorkbook() : CountText();
    }

    public string Path { get; }

    public int FileId { get; }

    public string? Entity { get; }

    public Msg Reason { get; }

    public bool IsWorkbook { get; }

    /// <summary>Records after the header; blank lines are not records.</summary>
    public long Rows { get; }

    /// <summary>Accounts for a file rejected whole; <paramref name="format"/> null means canonical CSV with the delimiter guessed from the header.</summary>
    public static WholeFileRejection Create(string path, int fileId, string? entity, Msg reason, SourceFormat? format = null, string? sheet = null) =>
        new(path, fileId, entity, reason, format ?? new SourceFormat(SourceFormat.Canonical.Encoding, GuessDelimiter(path)), sheet);

    public FileReport ToReport(string? rejectsPath) => new()
    {
        Path = Path,
        FileId = FileId,
        Entity = Entity,
        Read = Rows,
        Rejected = Rows,
        Error = Reason,
        RejectsPath = rejectsPath,
    };

    /// <summary>Writes every record with the file's reason, in <paramref name="language"/>, to <paramref name="target"/>; false (writing nothing) when the file has no data rows.</summary>
    public bool WriteRejects(string target, Language language)
    {
        if (Rows == 0)
        {
            return false;
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        using var output = new StreamWriter(target, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        var d = format.Delimiter;
        var tail = string.Join(d, string.Empty, string.Empty, FileImport.QuoteField(Reason.Render(language), d));
        if (IsWorkbook)
        {
            using var book = TableFile.Open(Path, sheet);
            book.Read();
            output.Write(FileImport.WorkbookRow(book) + ",_reject_line,_reject_column,_reject_reason\n");
            while (book.Read())
            {
                output.Write(FileImport.WorkbookRow(book) + "," + book.Line.ToString(CultureInfo.InvariantCulture) + tail + "\n");
            }

            return true;
        }

        using var text = OpenLenient();
        var csv = new CsvRecordReader(text, captureRaw: true, delimiter: d);
        csv.Read();
        output.Write(FileImport.RawHeader(csv));
        output.Write(string.Join(d, string.Empty, "_reject_line", "_reject_column", "_reject_reason") + "\n");
        while (csv.Read())
        {
            FileImport.WriteRaw(output, csv);
            output.Write(d);
            output.Write(csv.Line.ToString(CultureInfo.InvariantCulture));
            output.Write(tail);
            output.Write('\n');
        }

        return true;
    }

    /// <summary>
    /// The physical line (1-based, every LF, CRLF or lone CR ends one) holding the first byte sequence that
    /// is not UTF-8; 0 when the whole file decodes. Found on the bytes, because a decoder reads ahead.
    /// </summary>
    public static long FirstUndecodableLine(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var buffer = new byte[1 << 20];
        var chars = new char[buffer.Length];
        var carry = 0;
        var line = 1L;
        var lastWasCr = false;
        while (true)
        {
            var n = f.Read(buffer, carry, buffer.Length - carry) + carry;
            var final = n == carry;
            if (n == 0)
            {
                return 0;
            }

            var status = System.Text.Unicode.Utf8.ToUtf16(buffer.AsSpan(0, n), chars, out var used, out _, replaceInvalidSequences: false, isFinalBlock: final);
            foreach (var b in buffer.AsSpan(0, used))
            {
                if (b == (byte)'\n')
                {
                    line += lastWasCr ? 0 : 1;
                }
                else if (b == (byte)'\r')
                {
                    line++;
                }

                lastWasCr = b == (byte)'\r';
            }

            if (status == System.Buffers.OperationStatus.InvalidData)
            {
                return line;
            }

            if (final)
            {
                return 0;
            }

            // An incomplete sequence at the end of the buffer is carried into the next read.
            carry = n - used;
            buffer.AsSpan(used, carry).CopyTo(buffer);
        }
    }

    private long CountText()
    {
        try
        {
            using var text = OpenLenient();
            var csv = new CsvRecordReader(text, delimiter: format.Delimiter);
            var rows = -1L;
            while (csv.Read())
            {
                rows++;
            }

            return Math.Max(rows, 0);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    // A workbook that cannot be opened has no rows anyone can count; the reason says why.
    private long CountWorkbook()
    {
        try
        {
            using var book = TableFile.Open(Path, sheet);
            var rows = -1L;
            while (book.Read())
            {
                rows++;
            }

            return Math.Max(rows, 0);
        }
        catch (Exception)
        {
            return 0;
        }
    }

    // DecoderFallback.ReplacementFallback writes '?', which cannot be told from a real question mark.
    private StreamReader OpenLenient() =>
        FileImport.OpenText(Path, Encoding.GetEncoding(format.Encoding.CodePage, EncoderFallback.ReplacementFallback, new DecoderReplacementFallback("\uFFFD")));

    private static char GuessDelimiter(string path)
    {
        try
        {
            using var text = FileImport.OpenText(path, new UTF8Encoding(false, false));
            var first = text.ReadLine() ?? string.Empty;
            return new[] { ',', ';', '\t' }.MaxBy(c => first.Count(x => x == c));
        }
        catch (IOException)
        {
            return ',';
        }
    }
}
