using System.Globalization;
using System.Text;

namespace SalesKpi.Application.Contracts;

/// <summary>
/// One cell of a CSV document meant for people (opened in a spreadsheet): either text, which
/// <see cref="CsvOut"/> neutralises against formula injection, or a number, written in the invariant
/// culture and never altered so that it stays a number.
/// </summary>
/// <param name="Content">The cell's text as written.</param>
/// <param name="IsText">True for text, which is neutralised; false for a number, written as is.</param>
public readonly record struct CsvCell(string Content, bool IsText)
{
    /// <summary>An empty cell.</summary>
    public static CsvCell Empty => new(string.Empty, false);

    /// <summary>A text cell; null is empty.</summary>
    public static CsvCell Text(string? text) => new(text ?? string.Empty, true);

    /// <summary>A number as machine output carries it (<see cref="JsonOut.Round"/>); null is empty.</summary>
    public static CsvCell Number(decimal? value) =>
        value is { } v ? new(JsonOut.Round(v).ToString(CultureInfo.InvariantCulture), false) : Empty;

    /// <summary>A whole number.</summary>
    public static CsvCell Integer(long value) => new(value.ToString(CultureInfo.InvariantCulture), false);

    /// <summary>A probability or other double, up to six decimals; null is empty.</summary>
    public static CsvCell Number(double? value) =>
        value is { } v ? new(v.ToString("0.######", CultureInfo.InvariantCulture), false) : Empty;
}

/// <summary>
/// The one CSV writer of every output meant for people (report, funnel, scorecard, explain, export): RFC 4180 quoting, LF line
/// ends, and the OWASP rule against formula injection — a text cell starting with <c>=</c>, <c>+</c>, <c>-</c>,
/// <c>@</c>, tab or carriage return gets a leading <c>'</c>, so a spreadsheet shows it as text instead of
/// running it. Number cells are left alone (a negative change stays <c>-0.5</c>, parseable). Rejects files of
/// the import are not written here: they keep the raw records so that they can be fixed and imported again.
/// </summary>
public sealed class CsvOut
{
    private readonly TextWriter writer;
    private readonly int width;

    /// <summary>Starts a document in memory with its header row (<see cref="ToString"/> returns it).</summary>
    public CsvOut(params string[] header)
        : this(new StringWriter(new StringBuilder(), CultureInfo.InvariantCulture), header)
    {
    }

    /// <summary>Starts a document written to <paramref name="writer"/> as rows come (an export of a million records never sits in memory).</summary>
    public CsvOut(TextWriter writer, params string[] header)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(header);
        this.writer = writer;
        width = header.Length;
        Row([.. header.Select(CsvCell.Text)]);
    }

    /// <summary>Appends one row; it must have as many cells as the header.</summary>
    public CsvOut Row(params CsvCell[] cells)
    {
        if (cells.Length != width)
        {
            throw new ArgumentException($"a row of {cells.Length} cells under a header of {width}", nameof(cells));
        }

        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }

            writer.Write(Escape(cells[i]));
        }

        writer.Write('\n');
        return this;
    }

    /// <summary>The document, when it is written in memory; otherwise what the writer says of itself.</summary>
    public override string ToString() => writer.ToString() ?? string.Empty;

    /// <summary>
    /// A text as a spreadsheet must show it: with a leading <c>'</c> when it starts with <c>=</c>, <c>+</c>, <c>-</c>,
    /// <c>@</c>, tab or carriage return, so it is never run as a formula. This is the one rule: every CSV of
    /// <see cref="CsvOut"/> and every xlsx of <see cref="Spreadsheet"/> applies it to text cells, never to numbers.
    /// </summary>
    public static string Neutralise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;
    }

    /// <summary>A cell as written: text neutralised, then quoted where it holds a delimiter, quote or line break.</summary>
    public static string Escape(CsvCell cell)
    {
        var s = cell.IsText ? Neutralise(cell.Content) : cell.Content;
        return s.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
    }
}
