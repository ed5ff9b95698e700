using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Import;

/// <summary>
/// The SQL one imported file runs over its own rows (those with its <c>file_id</c>), rendered for a dialect:
/// its rejects table, the de-duplication of repeated keys (summing spend, rejecting conflicting copies,
/// merging identical ones), the replacement of rows stored earlier under the same keys and the warning
/// queries. Kept apart from <c>FileImport</c>'s control flow so that the statements can be rendered without a
/// workspace and kept under SQL snapshots. Statements with placeholders take positional parameters in the
/// order each method's summary states.
/// </summary>
public sealed class ImportSql
{
    /// <summary>The largest amount a money column holds (<c>DECIMAL(18,4)</c>).</summary>
    public const string MoneyLimit = "99999999999999.9999";

    private readonly ISqlDialect d;
    private readonly EntityDef entity;
    private readonly int fileId;
    private readonly string table;
    private readonly string mine;
    private readonly string key;
    private readonly string sumTable;
    private readonly string conflictTable;

    /// <summary>The statements of the file <paramref name="fileId"/> of <paramref name="entity"/> in <paramref name="dialect"/>.</summary>
    public ImportSql(ISqlDialect dialect, EntityDef entity, int fileId)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(entity);
        d = dialect;
        this.entity = entity;
        this.fileId = fileId;
        table = d.Quote(entity.Name);
        mine = string.Create(CultureInfo.InvariantCulture, $"file_id = {fileId}");
        key = string.Join(", ", entity.Key.Select(d.Quote));
        RejectsTable = string.Create(CultureInfo.InvariantCulture, $"_rej_{fileId}");
        sumTable = string.Create(CultureInfo.InvariantCulture, $"_sum_{fileId}");
        conflictTable = string.Create(CultureInfo.InvariantCulture, $"_conf_{fileId}");
    }

    /// <summary>The session table of this file's rejected rows (line, column, reason).</summary>
    public string RejectsTable { get; }

    /// <summary>Creates <see cref="RejectsTable"/>.</summary>
    public string CreateRejectsTable() =>
        d.CreateTempTable(RejectsTable, "(_line BIGINT NOT NULL, _column VARCHAR, _reason VARCHAR NOT NULL)");

    /// <summary>The rejected rows in line order.</summary>
    public string SelectRejects() => $"SELECT _line, _column, _reason FROM {RejectsTable} ORDER BY _line";

    /// <summary>The rejected rows counted by column and reason, the most frequent first (at most 20 groups).</summary>
    public string CountRejectReasons() =>
        $"SELECT _column, _reason, count(*) AS n FROM {RejectsTable} GROUP BY _column, _reason ORDER BY n DESC, _column, _reason LIMIT 20";

    /// <summary>
    /// A query with no rows whose result columns are the entity table's columns in table order — as the session sees
    /// the table (a PostgreSQL workspace's view of it, without workspace_id), which a catalogue query would not.
    /// </summary>
    public string TableColumns() => $"SELECT * FROM {d.Quote(entity.Name)} WHERE 1 = 0";

    /// <summary>How many keys occur more than once among this file's rows.</summary>
    public string CountRepeatedKeys() =>
        $"SELECT count(*) FROM (SELECT {key} FROM {table} WHERE {mine} GROUP BY {key} HAVING count(*) > 1) AS k";

    /// <summary>Sums the repeated keys' rows into a session table, one row per key (entities with a sum column).</summary>
    public string CreateSumTable()
    {
        var qs = d.Quote(SumColumn());
        var cols = entity.Columns.Select(c => c.Name == entity.SumColumn ? $"sum({qs}) AS {qs}" : d.Quote(c.Name));
        return d.CreateTempTable(
            sumTable,
            string.Create(CultureInfo.InvariantCulture, $"AS SELECT {string.Join(", ", cols)}, {fileId} AS file_id, min(source_line) AS source_line FROM {table} WHERE {mine} GROUP BY {key} HAVING count(*) > 1"));
    }

    /// <summary>
    /// Rejects the rows of keys whose sum exceeds <see cref="MoneyLimit"/>: parameter 1 is the column named in
    /// the rejection, parameter 2 the reason with <c>&lt;sum&gt;</c> where the sum goes.
    /// </summary>
    public string RejectTooLargeSums() =>
        $"INSERT INTO {RejectsTable} SELECT t.source_line, {d.Parameter(1)}, replace({d.Parameter(2)}, '<sum>', CAST(g.{d.Quote(SumColumn())} AS VARCHAR)) FROM {table} t JOIN {sumTable} g ON {Match("t", "g")} WHERE t.{mine} AND {TooLarge("g.")}";

    /// <summary>Deletes this file's rows of the keys whose sum is too large.</summary>
    public string DeleteTooLargeSums() =>
        $"DELETE FROM {table} t USING {sumTable} g WHERE t.{mine} AND {Match("t", "g")} AND {TooLarge("g.")}";

    /// <summary>Drops the too-large sums from the sum table.</summary>
    public string DropTooLargeSums() => $"DELETE FROM {sumTable} WHERE {TooLarge(string.Empty)}";

    /// <summary>Deletes this file's rows of the summed keys.</summary>
    public string DeleteSummedRows() => $"DELETE FROM {table} t USING {sumTable} g WHERE t.{mine} AND {Match("t", "g")}";

    /// <summary>Stores the sums in place of the deleted rows.</summary>
    public string InsertSums() => $"INSERT INTO {table} SELECT * FROM {sumTable}";

    /// <summary>Drops the sum table.</summary>
    public string DropSumTable() => $"DROP TABLE {sumTable}";

    /// <summary>
    /// Collects the keys whose rows differ in content, with the first six of their lines as text; null when
    /// the entity has no column besides its key (then every copy is identical).
    /// </summary>
    public string? CreateConflictTable()
    {
        var content = entity.Columns.Where(c => !entity.Key.Contains(c.Name)).Select(c => d.Quote(c.Name)).ToList();
        if (content.Count == 0)
        {
            return null;
        }

        return d.CreateTempTable(
            conflictTable,
            $"""
            AS
            SELECT {key}, {d.JoinFirst("source_line", "source_line", 6, "', '")} AS lines
            FROM {table} WHERE {mine} GROUP BY {key} HAVING count(DISTINCT row({string.Join(", ", content)})) > 1
            """);
    }

    /// <summary>
    /// Rejects every row of a conflicting key: parameter 1 is the key column named in the rejection, parameter 2
    /// the reason with <c>&lt;key&gt;</c> and <c>&lt;lines&gt;</c> where the key and its lines go.
    /// </summary>
    public string RejectConflicts() =>
        $"INSERT INTO {RejectsTable} SELECT t.source_line, {d.Parameter(1)}, replace(replace({d.Parameter(2)}, '<key>', g.{d.Quote(entity.Key[0])}), '<lines>', g.lines) FROM {table} t JOIN {conflictTable} g ON {Match("t", "g")} WHERE t.{mine}";

    /// <summary>Deletes the rows of conflicting keys.</summary>
    public string DeleteConflicts() => $"DELETE FROM {table} t USING {conflictTable} g WHERE t.{mine} AND {Match("t", "g")}";

    /// <summary>Drops the conflict table.</summary>
    public string DropConflictTable() => $"DROP TABLE {conflictTable}";

    /// <summary>Of identical copies of a row, keeps the first stored.</summary>
    public string DeleteIdenticalCopies()
    {
        var (rows, workspace) = d.RowIdSource(table);
        return $"DELETE FROM {rows} WHERE {workspace} AND {mine} AND {d.RowId} NOT IN (SELECT min({d.RowId}) FROM {rows} WHERE {workspace} AND {mine} GROUP BY {key})";
    }

    /// <summary>1 when the table holds rows of other files, else 0.</summary>
    public string CountOlderRows() =>
        $"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE file_id <> {fileId.ToString(CultureInfo.InvariantCulture)} LIMIT 1) AS o";

    /// <summary>Deletes the rows of other files stored under this file's keys (the replacement).</summary>
    public string DeleteReplaced() =>
        $"DELETE FROM {table} t USING (SELECT DISTINCT {key} FROM {table} WHERE {mine}) g WHERE t.file_id <> {fileId.ToString(CultureInfo.InvariantCulture)} AND {Match("t", "g")}";

    /// <summary>
    /// Records the rows of this file matching <paramref name="condition"/> (over alias <c>s</c>) in
    /// <paramref name="warningsTable"/>: parameters 1–3 are the file, the column and the warning.
    /// </summary>
    public string InsertWarnings(string warningsTable, string condition) =>
        $"INSERT INTO {warningsTable} SELECT {d.Parameter(1)}, s.source_line, {d.Parameter(2)}, {d.Parameter(3)} FROM {table} s WHERE s.{mine} AND {condition}";

    /// <summary>The first five lines of one warning: parameters 1–3 are the file, the column and the warning.</summary>
    public string FirstWarnedLines(string warningsTable) =>
        $"SELECT line FROM {warningsTable} WHERE file = {d.Parameter(1)} AND column_name = {d.Parameter(2)} AND warning = {d.Parameter(3)} ORDER BY line LIMIT 5";

    /// <summary>The first five stored rows of this file, the entity's columns only (a dry run's preview).</summary>
    public string Preview() =>
        $"SELECT {string.Join(", ", entity.Columns.Select(c => d.Quote(c.Name)))} FROM {table} WHERE {mine} ORDER BY source_line LIMIT 5";

    /// <summary>
    /// Creates the import's warnings table (file, line, column, warning): a session table, so that imports into two
    /// workspaces of one PostgreSQL database never contend for one name.
    /// </summary>
    public static string CreateWarningsTable(ISqlDialect dialect, string name) =>
        dialect.CreateTempTable(name, "(file VARCHAR, line BIGINT, column_name VARCHAR, warning VARCHAR)");

    /// <summary>The warnings file's rows, in file and line order.</summary>
    public static string WarningsFileQuery(string name) =>
        $"SELECT file, line, column_name AS column, warning FROM {name} ORDER BY file, line";

    /// <summary>Logs one import: parameters 1–7 are id, start, finish, strict, read, stored, rejected.</summary>
    public static string InsertImport(ISqlDialect d) => InsertValues(d, "imports", 7);

    /// <summary>
    /// Logs one imported file: parameters 1–10 are file id, import id, path, entity, read, stored, rejected,
    /// warnings, rejects path, error.
    /// </summary>
    public static string InsertImportFile(ISqlDialect d) => InsertValues(d, "import_files", 10);

    /// <summary>Whether an import id is in the log: parameter 1 is the id.</summary>
    public static string CountImport(ISqlDialect d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return $"SELECT count(*) FROM imports WHERE import_id = {d.Parameter(1)}";
    }

    private static string InsertValues(ISqlDialect d, string table, int count)
    {
        ArgumentNullException.ThrowIfNull(d);
        return $"INSERT INTO {table} VALUES ({string.Join(", ", Enumerable.Range(1, count).Select(d.Parameter))})";
    }

    private string SumColumn() =>
        entity.SumColumn ?? throw new InvalidOperationException($"{entity.Name} has no column whose repeated rows are summed.");

    private string TooLarge(string prefix) => $"abs({prefix}{d.Quote(SumColumn())}) > {MoneyLimit}";

    private string Match(string a, string b) =>
        string.Join(" AND ", entity.Key.Select(k => entity[k].Required
            ? $"{a}.{d.Quote(k)} = {b}.{d.Quote(k)}"
            : $"{a}.{d.Quote(k)} IS NOT DISTINCT FROM {b}.{d.Quote(k)}"));
}
