namespace SalesKpi.Storage;

/// <summary>
/// The part of the dialect that storage, the import and the KPI-system store render their statements with:
/// positional placeholders, upserts, id sequences, a physical row identity and a bounded text aggregate.
/// </summary>
public partial interface ISqlDialect
{
    /// <summary>
    /// The placeholder of the 1-based positional parameter <paramref name="position"/>, as
    /// <see cref="Workspace.Command"/> binds its arguments in order.
    /// </summary>
    string Parameter(int position);

    /// <summary>
    /// A statement inserting one row into <paramref name="table"/> — <paramref name="columns"/> set to the SQL
    /// expressions <paramref name="values"/> (usually placeholders) — or, when a row with the same
    /// <paramref name="keyColumns"/> (the table's primary key) exists, replacing that row's other columns.
    /// </summary>
    string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns, IReadOnlyList<string> values);

    /// <summary>A statement creating the id sequence <paramref name="name"/> whose first value is <paramref name="start"/>.</summary>
    string CreateSequence(string name, long start);

    /// <summary>Expression taking the next value (BIGINT) of the sequence <paramref name="name"/>.</summary>
    string NextValue(string name);

    /// <summary>
    /// A pseudo-column naming a stored row of a table within one statement, usable with <c>min()</c> and
    /// <c>IN</c>: what tells apart two rows of identical content.
    /// </summary>
    string RowId { get; }

    /// <summary>
    /// Where <see cref="RowId"/> can be read for the stored rows of <paramref name="table"/>: the table to name in a
    /// <c>DELETE</c> or <c>FROM</c> and the predicate (true in a one-workspace engine) that keeps it to this workspace.
    /// </summary>
    (string Table, string Filter) RowIdSource(string table);

    /// <summary>
    /// Aggregate: the first <paramref name="count"/> values of <paramref name="expr"/> in the order of
    /// <paramref name="orderBy"/>, as text joined by the SQL string literal <paramref name="separatorLiteral"/>.
    /// </summary>
    string JoinFirst(string expr, string orderBy, int count, string separatorLiteral);
}
