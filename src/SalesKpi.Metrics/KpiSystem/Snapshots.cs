using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;

namespace SalesKpi.Metrics.KpiSystem;

/// <summary>One stored value of a KPI in a snapshot.</summary>
/// <param name="SnapshotId">The snapshot.</param>
/// <param name="TakenAtUtc">When the snapshot was taken.</param>
/// <param name="Period">Period label.</param>
/// <param name="PeriodStart">First day of the period.</param>
/// <param name="Slice">Slice key (<see cref="SystemValues.SliceKey"/>); empty for the total.</param>
/// <param name="Value">The value as reported; null when it was undefined.</param>
/// <param name="Target">The target in force then; null when none.</param>
/// <param name="Status">The status as reported (<see cref="TargetRules.Name"/>).</param>
/// <param name="ConfigVersion">The KPI-system version it was evaluated with.</param>
public sealed record SnapshotValue(int SnapshotId, DateTime TakenAtUtc, string Period, DateOnly PeriodStart, string Slice, decimal? Value, decimal? Target, string Status, int? ConfigVersion);

/// <summary>
/// Stored scorecards: each snapshot keeps the values, targets and statuses as reported, the scorecard
/// document and the KPI-system definitions in force, so later changes to data, definitions or targets
/// never rewrite what was reported. Snapshots are only ever added.
/// </summary>
public static class Snapshots
{
    /// <summary>
    /// Stores <paramref name="scorecard"/> with its JSON <paramref name="payload"/> (language-neutral: messages as
    /// <see cref="Msg.ToJson"/>, rendered when read) and the <paramref name="document"/> of the definitions; returns the snapshot id.
    /// </summary>
    public static int Save(Workspace ws, ScorecardResult scorecard, string document, string payload, DateTime takenAtUtc)
    {
        using var tx = ws.BeginTransaction();
        var id = checked((int)ws.NextId(IdSequences.Snapshots));
        ws.Execute(
            InsertSql(ws.Dialect),
            id,
            takenAtUtc,
            scorecard.Period.Label,
            scorecard.Period.Start,
            scorecard.AsOfUtc,
            scorecard.Version?.Number,
            string.Join(",", scorecard.By),
            document,
            payload);
        using (var w = ws.CreateBulkWriter("kpi_snapshot_values"))
        {
            foreach (var row in scorecard.Rows)
            {
                w.Add(id);
                w.Add(row.Kpi.Id);
                w.Add(SystemValues.SliceKey(row.Result.Slice));
                w.Add(Text(row.Result.Value));
                w.Add(Text(row.Target?.Value));
                w.Add(TargetRules.Name(row.Status));
                w.Add(row.Result.N);
                w.EndRow();
            }
        }

        tx.Commit();
        return id;
    }

    /// <summary>
    /// The stored series of <paramref name="kpi"/>: per period and slice, the value of the latest snapshot,
    /// oldest period first. Totals only, unless <paramref name="by"/> names a dimension — then its slices.
    /// </summary>
    public static IReadOnlyList<SnapshotValue> History(Workspace ws, string kpi, string? by)
    {
        var sql = HistorySql(ws.Dialect, by is not null);
        object?[] args = by is null ? [kpi] : [kpi, KpiCatalogDimension(by) + "=%"];
        return ws.Query(
            sql,
            r => new SnapshotValue(
                r.GetInt32(0),
                r.GetDateTime(1),
                r.GetString(2),
                DateOnly.FromDateTime(r.GetDateTime(3)),
                r.GetString(4),
                r.IsDBNull(5) ? null : decimal.Parse(r.GetString(5), CultureInfo.InvariantCulture),
                r.IsDBNull(6) ? null : decimal.Parse(r.GetString(6), CultureInfo.InvariantCulture),
                r.GetString(7),
                r.IsDBNull(8) ? null : r.GetInt32(8)),
            args).ToList();
    }

    /// <summary>The scorecard document snapshot <paramref name="id"/> stored (see the Application's scorecard output); null when there is none.</summary>
    public static string? Payload(Workspace ws, int id) =>
        ws.Query($"SELECT payload FROM kpi_snapshots WHERE snapshot_id = {ws.Dialect.Parameter(1)}", r => r.GetString(0), id).FirstOrDefault();

    /// <summary>The dimensions snapshot <paramref name="id"/> is sliced by (empty for totals only); null when there is no such snapshot.</summary>
    public static IReadOnlyList<string>? SlicedBy(Workspace ws, int id) =>
        ws.Query($"SELECT by_dims FROM kpi_snapshots WHERE snapshot_id = {ws.Dialect.Parameter(1)}", r => r.GetString(0), id)
            .Select(IReadOnlyList<string> (dims) => dims.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .FirstOrDefault();

    /// <summary>
    /// The statement storing one snapshot: parameters 1–9 are id, taken at, period label, period start, as-of,
    /// KPI-system version, slice dimensions, definitions document and scorecard payload.
    /// </summary>
    public static string InsertSql(ISqlDialect d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return $"INSERT INTO kpi_snapshots (snapshot_id, taken_at, period, period_start, as_of, config_version, by_dims, document, payload) VALUES ({string.Join(", ", Enumerable.Range(1, 9).Select(d.Parameter))})";
    }

    /// <summary>
    /// The query of <see cref="History"/>: parameter 1 is the KPI id; with <paramref name="bySlice"/>, parameter 2
    /// is the <c>LIKE</c> pattern of the dimension's slices.
    /// </summary>
    public static string HistorySql(ISqlDialect d, bool bySlice)
    {
        ArgumentNullException.ThrowIfNull(d);

        // Single-dimension slices only: a value may itself contain a comma, so look for ",<dimension>=".
        var sliceFilter = bySlice
            ? $"v.slice LIKE {d.Parameter(2)}" + string.Concat(Core.Kpis.KpiCatalog.AllDimensions.Select(x => $" AND v.slice NOT LIKE '%,{x}=%'"))
            : "v.slice = ''";

        // A plain window function in a subquery (not DuckDB's QUALIFY) keeps this portable to PostgreSQL.
        return $"""
            SELECT snapshot_id, taken_at, period, period_start, slice, value, target, status, config_version FROM (
              SELECT s.snapshot_id, s.taken_at, s.period, s.period_start, v.slice, v.value, v.target, v.status, s.config_version,
                     row_number() OVER (PARTITION BY s.period, v.slice ORDER BY s.snapshot_id DESC) AS latest
              FROM kpi_snapshot_values v JOIN kpi_snapshots s ON s.snapshot_id = v.snapshot_id
              WHERE v.kpi = {d.Parameter(1)} AND {sliceFilter}) t
            WHERE latest = 1
            ORDER BY period_start, length(period), slice
            """;
    }

    /// <summary>The number of snapshots stored.</summary>
    public static long Count(Workspace ws) => Convert.ToInt64(ws.Scalar("SELECT count(*) FROM kpi_snapshots"), CultureInfo.InvariantCulture);

    private static string KpiCatalogDimension(string by) => Core.Kpis.KpiCatalog.Dimension(by);

    private static string? Text(decimal? d) => d?.ToString(CultureInfo.InvariantCulture);
}
