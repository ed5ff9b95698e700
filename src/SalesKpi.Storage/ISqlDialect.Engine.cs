namespace SalesKpi.Storage;

/// <summary>
/// The part of the dialect the KPI engine and the analyses render their queries with: parameter
/// placeholders, epoch seconds, integer series, arrays, an arg-max aggregate and session temp tables.
/// Together with <see cref="PercentileCont"/> and <see cref="SecondsBetween"/> these are the only
/// engine-specific spellings in the engine's SQL; the rest is SQL that DuckDB and PostgreSQL both accept.
/// </summary>
public partial interface ISqlDialect
{
    /// <summary>
    /// The placeholder of the named parameter <paramref name="name"/> (lower-case letters, digits, underscores),
    /// as the workspace's named commands bind it. A statement must contain the placeholder of every parameter it
    /// is given, so callers bind only the names whose placeholder occurs in the text.
    /// </summary>
    string Parameter(string name);

    /// <summary>
    /// Whether the independent queries of one report finish sooner on several sessions at once. DuckDB runs each query
    /// on every core already (a 1 M-lead report on 2 cores: no gain, a little loss); PostgreSQL runs each on one backend
    /// and its few parallel workers (the same report: 7.2 → 6.5 s on 2 cores; more with more cores).
    /// </summary>
    bool SessionsSideBySide { get; }

    /// <summary>
    /// The statement that makes a session compute its queries on its own backend alone while families run side by side
    /// on sibling sessions (<see cref="SessionsSideBySide"/>), and the statement that gives the session its own setting
    /// back; null when the engine needs neither. On PostgreSQL the lanes are the parallelism: a query's parallel workers
    /// on top of them outnumber the cores, and each worker builds its own copy of a join's aggregated side (the 1 M-lead
    /// report on 2 cores: 9.6 → 7.9 s under load 6–9, docs/benchmarks.md).
    /// </summary>
    (string Enter, string Leave)? SideBySideSession { get; }

    /// <summary>
    /// Seconds from 1970-01-01 00:00 to the timestamp <paramref name="expr"/> (stored as UTC without a zone),
    /// fractional, as a double; NULL when <paramref name="expr"/> is NULL.
    /// </summary>
    string EpochSeconds(string expr);

    /// <summary>
    /// A table expression (for a FROM clause, without alias: callers write <c>t(k)</c> after it) yielding one
    /// BIGINT row per integer <c>k</c> with <paramref name="start"/> ≤ <c>k</c> &lt; <paramref name="stop"/>,
    /// none when <paramref name="stop"/> ≤ <paramref name="start"/>. Both bounds are BIGINT expressions and may
    /// reference columns of earlier FROM items (a lateral call).
    /// </summary>
    string IntegerRange(string start, string stop);

    /// <summary>
    /// The 1-based position of the first element of the array <paramref name="array"/> equal to
    /// <paramref name="element"/>; NULL when no element equals it or either side is NULL. Arrays reach
    /// SQL only as bound parameters (a .NET array).
    /// </summary>
    string ArrayPosition(string array, string element);

    /// <summary>
    /// True when the text <paramref name="expr"/>, lower-cased, contains any of <paramref name="words"/>
    /// (lower-cased, matched as plain text: no character is special) as a substring; false when
    /// <paramref name="expr"/> is NULL or <paramref name="words"/> is empty. One pattern test per row, not one
    /// test per word: a chain of 20 <c>strpos</c> calls made the 1 M-lead report 0.5 s slower.
    /// </summary>
    string ContainsAny(string expr, IReadOnlyList<string> words);

    /// <summary>
    /// True when <see cref="ContainsAny"/> over a column of few distinct values is cheaper tested once per distinct
    /// value of the rows in question and joined back by value than tested per row: DuckDB, where the distinct values
    /// of a period's rows cost a scan that skips other periods' blocks (the leads family 7–9 % faster at 10 M leads).
    /// False for PostgreSQL, where the extra scan of the table has no blocks to skip and no gain was measured (the full
    /// report at 1 M leads within the same noise either way), so the per-row test stays as it was.
    /// </summary>
    bool TestsDistinctValuesOnce { get; }

    /// <summary>The element at the 1-based <paramref name="index"/> of <paramref name="array"/>; NULL when the index is NULL or out of range.</summary>
    string ArrayElement(string array, string index);

    /// <summary>
    /// Aggregate: the value of <paramref name="value"/> on the row with the largest <paramref name="key"/>
    /// of the group (rows with a NULL key ignored; which row wins a tie is unspecified); NULL for no such row.
    /// </summary>
    string ArgMax(string value, string key);

    /// <summary>
    /// <paramref name="expr"/> (a DOUBLE) rounded to <paramref name="digits"/> decimals, halves away from zero, as a
    /// DOUBLE; NULL stays NULL.
    /// </summary>
    string Round(string expr, int digits);

    /// <summary>
    /// A statement creating the session-temporary table <paramref name="name"/>, replacing one of that name
    /// made earlier in the session; <paramref name="definition"/> is either a column list in parentheses or
    /// <c>AS SELECT …</c>. The table is dropped when the connection closes.
    /// </summary>
    string CreateTempTable(string name, string definition);
}
