namespace SalesKpi.Import;

/// <summary>The header row of a source file, read to decide which entity of a profile the file is.</summary>
internal static class HeaderRow
{
    /// <summary>
    /// The trimmed header names of the CSV or .xlsx file at <paramref name="path"/> (encoding and delimiter detected as
    /// for a mapped file); null when the file cannot be read as either (its import then says why).
    /// </summary>
    public static IReadOnlyCollection<string>? Read(string path)
    {
        try
        {
            if (TableFile.Is(path))
            {
                using var book = TableFile.Open(path, null);
                return book.Read() ? Names(book) : null;
            }

            var format = SourceFormat.Detect(path, new FileMapping());
            using var text = FileImport.OpenText(path, format.Encoding);
            var csv = new CsvRecordReader(text, delimiter: format.Delimiter);
            return csv.Read() ? Names(csv) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FileRejectedException or System.Text.DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>
    /// The current record's fields as header names, by position: trimmed, and without a byte-order mark a careless
    /// export repeats at the start of the first one.
    /// </summary>
    public static List<string> Fields(IRecordSource source) =>
        [.. Enumerable.Range(0, source.FieldCount).Select(i => (i == 0 ? source[i].TrimStart('\uFEFF') : source[i]).Trim().ToString())];

    private static List<string> Names(IRecordSource source) => [.. Fields(source).Where(n => n.Length > 0)];
}
