namespace SalesKpi.Import;

/// <summary>
/// Records with fields, read one after another: the canonical CSV reader, or a mapped export that
/// presents canonical columns. The first record is the header. <see cref="Line"/> is always the
/// physical line in the file the user gave, so rejects point at what they can open.
/// </summary>
public interface IRecordSource
{
    /// <summary>Number of fields of the current record.</summary>
    int FieldCount { get; }

    /// <summary>1-based line on which the current record starts in the source file.</summary>
    long Line { get; }

    /// <summary>True when the current record ends inside an unclosed quote.</summary>
    bool Unterminated { get; }

    /// <summary>Why the current record cannot be read as a row at all (e.g. wrong field count in the source); null when it can.</summary>
    SalesKpi.Core.Msg? RecordError { get; }

    /// <summary>Field <paramref name="index"/> of the current record.</summary>
    ReadOnlySpan<char> this[int index] { get; }

    /// <summary>Advances to the next record; false at the end.</summary>
    bool Read();
}
