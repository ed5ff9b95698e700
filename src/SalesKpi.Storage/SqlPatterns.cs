namespace SalesKpi.Storage;

/// <summary>Regular-expression text shared by the dialects (RE2 in DuckDB and PostgreSQL's POSIX expressions agree on it).</summary>
internal static class SqlPatterns
{
    /// <summary>
    /// An alternation matching any of <paramref name="words"/>, each lower-cased and with every character that is
    /// special in a regular expression escaped, so a word matches as plain text.
    /// </summary>
    public static string AnyWord(IReadOnlyList<string> words) => string.Join("|", words.Select(w => Escape(w.ToLowerInvariant())));

    private static string Escape(string word)
    {
        var sb = new System.Text.StringBuilder(word.Length);
        foreach (var ch in word)
        {
            if (@"\.^$|?*+()[]{}".Contains(ch, StringComparison.Ordinal))
            {
                sb.Append('\\');
            }

            sb.Append(ch);
        }

        return sb.ToString();
    }
}
