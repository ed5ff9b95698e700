namespace SalesKpi.Storage.DuckDb;

/// <summary>DuckDB's spelling of the owner-scope constructs: temp views are searched before the database's own schema.</summary>
public sealed partial class DuckDbDialect
{
    /// <inheritdoc />
    public string CreateTempView(string name, string query) => $"CREATE OR REPLACE TEMP VIEW {name} AS {query}";

    /// <inheritdoc />
    public string StoredTable(string catalog, string table) => $"{Quote(catalog)}.main.{Quote(table)}";

    /// <inheritdoc />
    // DuckDB string literals know no backslash escapes: doubling the quote is the only escape there is.
    public string StringLiteral(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
