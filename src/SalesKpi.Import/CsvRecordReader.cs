using System.Text;
using SalesKpi.Core;

namespace SalesKpi.Import;

/// <summary>
/// Streams RFC 4180 records from text: comma-separated, <c>"</c> quoting with <c>""</c> escapes, quoted
/// commas and line breaks, LF, CRLF or CR line ends. Each record knows the physical line it starts on,
/// so errors point at the line a user sees in an editor. Blank lines are skipped (they are not rows).
/// A quote inside an unquoted field, or text after a closing quote, is kept literally rather than
/// failing the file: real exports contain both.
/// </summary>
public sealed class CsvRecordReader : IRecordSource
{
    private const int BufferSize = 1 << 16;
    private static readonly System.Buffers.SearchValues<char> QuotedStops = System.Buffers.SearchValues.Create("\"\r\n\0");

    private readonly TextReader reader;
    private readonly char delimiter;
    private readonly System.Buffers.SearchValues<char> unquotedStops;
    private readonly char[] buffer = new char[BufferSize];
    private readonly StringBuilder? raw;
    private int pos;
    private int len;
    private bool eof;
    private long line = 1;
    private bool quotedFirst;
    private bool hasNul;

    private char[] fieldChars = new char[1024];
    private int fieldLength;
    private int[] fieldEnds = new int[64];

    /// <summary>Creates a reader over <paramref name="reader"/>.</summary>
    /// <param name="reader">The text to read; the caller owns and disposes it.</param>
    /// <param name="captureRaw">When true, <see cref="Raw"/> holds each record's text exactly as written (costs a copy per character).</param>
    /// <param name="delimiter">The field separator: <c>,</c> for the canonical format; <c>;</c> or a tab for mapped exports.</param>
    public CsvRecordReader(TextReader reader, bool captureRaw = false, char delimiter = ',')
    {
        this.reader = reader;
        this.delimiter = delimiter;
        unquotedStops = System.Buffers.SearchValues.Create(new string([delimiter, '\r', '\n', '"', '\0']));
        raw = captureRaw ? new StringBuilder() : null;
    }

    /// <summary>Number of fields of the current record (at least 1).</summary>
    public int FieldCount { get; private set; }

    /// <summary>1-based physical line on which the current record starts.</summary>
    public long Line { get; private set; }

    /// <summary>True when the current record ends inside an unclosed quoted field (the file ended first).</summary>
    public bool Unterminated { get; private set; }

    /// <summary>
    /// Set when the record holds a NUL character: that is binary data, never text a user typed, and
    /// storing it would hide it inside a value (*our reading*: the row is rejected, not the file).
    /// </summary>
    public Msg? RecordError => hasNul
        ? Msg.Of("row.nul_byte", "the row contains a NUL byte (binary data, not text): remove it", "в строке есть байт NUL (двоичные данные, а не текст): удалите его")
        : null;

    /// <summary>The current record as written, without its line terminator; null unless raw capture is on.</summary>
    public string? Raw => raw?.ToString();

    /// <summary>The unescaped, untrimmed value of field <paramref name="index"/> of the current record.</summary>
    public ReadOnlySpan<char> this[int index]
    {
        get
        {
            var start = index == 0 ? 0 : fieldEnds[index - 1];
            return fieldChars.AsSpan(start, fieldEnds[index] - start);
        }
    }

    /// <summary>Advances to the next non-blank record; false at the end of the text.</summary>
    public bool Read()
    {
        while (true)
        {
            if (!ReadRecord())
            {
                return false;
            }

            if (FieldCount > 1 || fieldEnds[0] > 0 || Unterminated || quotedFirst)
            {
                return true;
            }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private bool ReadRecord()
    {
        FieldCount = 0;
        fieldLength = 0;
        Unterminated = false;
        quotedFirst = false;
        hasNul = false;
        raw?.Clear();
        if (!Fill())
        {
            return false;
        }

        Line = line;
        while (true)
        {
            // Start of a field.
            var quoted = false;
            if (Fill() && Peek() == '"')
            {
                Take();
                quoted = true;
                quotedFirst |= FieldCount == 0;
            }

            while (true)
            {
                if (!Fill())
                {
                    Unterminated = quoted;
                    EndField();
                    return true;
                }

                // Copy the run of ordinary characters in one go; stop at the next one that matters.
                var rest = buffer.AsSpan(pos, len - pos);
                var k = rest.IndexOfAny(quoted ? QuotedStops : unquotedStops);
                var run = k < 0 ? rest : rest[..k];
                if (!run.IsEmpty)
                {
                    Append(run);
                    pos += run.Length;
                    if (k < 0)
                    {
                        continue;
                    }
                }

                var c = Take();
                hasNul |= c == '\0';
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (Fill() && Peek() == '"')
                        {
                            Take();
                            Append('"');
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        // A line break inside quotes: part of the value, but still a new physical line.
                        if (c == '\n' || (c == '\r' && !(Fill() && Peek() == '\n')))
                        {
                            line++;
                        }

                        Append(c);
                    }

                    continue;
                }

                if (c == delimiter)
                {
                    EndField();
                    break;
                }

                if (c == '\n' || c == '\r')
                {
                    if (raw is not null)
                    {
                        raw.Length--;
                    }

                    if (c == '\r' && Fill() && Peek() == '\n')
                    {
                        pos++;
                    }

                    line++;
                    EndField();
                    return true;
                }

                Append(c);
            }
        }
    }

    private void EndField()
    {
        if (FieldCount == fieldEnds.Length)
        {
            Array.Resize(ref fieldEnds, fieldEnds.Length * 2);
        }

        fieldEnds[FieldCount++] = fieldLength;
    }

    private void Append(ReadOnlySpan<char> run)
    {
        if (fieldLength + run.Length > fieldChars.Length)
        {
            Array.Resize(ref fieldChars, Math.Max(fieldChars.Length * 2, fieldLength + run.Length));
        }

        run.CopyTo(fieldChars.AsSpan(fieldLength));
        fieldLength += run.Length;
        raw?.Append(run);
    }

    private void Append(char c)
    {
        if (fieldLength == fieldChars.Length)
        {
            Array.Resize(ref fieldChars, fieldChars.Length * 2);
        }

        fieldChars[fieldLength++] = c;
    }

    private char Peek() => buffer[pos];

    private char Take()
    {
        var c = buffer[pos++];
        raw?.Append(c);
        return c;
    }

    private bool Fill()
    {
        if (pos < len)
        {
            return true;
        }

        if (eof)
        {
            return false;
        }

        len = reader.Read(buffer, 0, buffer.Length);
        pos = 0;
        if (len == 0)
        {
            eof = true;
            return false;
        }

        return true;
    }
}
