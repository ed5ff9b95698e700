namespace SalesKpi.Storage;

/// <summary>
/// The part of the dialect that restricts a session to one owner's data (<see cref="OwnerScope"/>): session views
/// that shadow the stored tables of the same name, a reference to a stored table that bypasses such a view, and
/// a string literal for the owner name (a view definition cannot hold a bound parameter).
/// </summary>
public partial interface ISqlDialect
{
    /// <summary>
    /// A statement creating the session-temporary view <paramref name="name"/> over <paramref name="query"/>, replacing
    /// one of that name made earlier in the session. Unqualified references to <paramref name="name"/> made later in the
    /// session resolve to the view, not to the stored table of that name; the view is dropped when the connection closes.
    /// </summary>
    string CreateTempView(string name, string query);

    /// <summary>
    /// A reference to the stored table <paramref name="table"/> of the database <paramref name="catalog"/> (as
    /// <c>SELECT current_database()</c> names it) that no session view of the same name shadows.
    /// </summary>
    string StoredTable(string catalog, string table);

    /// <summary>
    /// <paramref name="value"/> as an SQL string literal: every character stands for itself, quotes included.
    /// Only for the few places where no parameter can be bound (view definitions).
    /// </summary>
    string StringLiteral(string value);
}
